// Models the app generates itself instead of downloading (see ml/models/install-demo.ts).

/** Store id of the built-in demo diffusion pipeline (ml/diffusion/demo-model). */
export const DEMO_MODEL_ID = 'builtin-demo-phantom-ldm';
