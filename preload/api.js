// THE contract between the renderer and main (see ARCHITECTURE.md and STYLE.md): every request
// channel with its zod input schema and result type, every event with its payload type. main,
// preload, renderer and the headless host all import it; nothing else defines a channel.
// Keep it free of Node and Electron imports: the renderer type-checks against it with DOM types only.
import { z } from 'zod';
/** Request channels: the input main parses before it acts on anything the renderer sends. */
export const requests = {
    'tasks.pause': z.object({ ids: z.array(z.number().int().positive()).min(1) }),
};
//# sourceMappingURL=api.js.map