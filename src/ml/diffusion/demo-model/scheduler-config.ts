// SD-1.5's scheduler settings (runwayml/stable-diffusion-v1-5 scheduler_config.json, as
// diffusers writes a DDIMScheduler): the demo pipeline uses the same noise schedule, so its
// strength/steps behave like SD-1.x img2img.
export const DDIM_SD15: Record<string, unknown> = {
  _class_name: 'DDIMScheduler',
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  beta_start: 0.00085,
  clip_sample: false,
  num_train_timesteps: 1000,
  prediction_type: 'epsilon',
  set_alpha_to_one: false,
  steps_offset: 1,
  timestep_spacing: 'leading',
  trained_betas: null,
};
