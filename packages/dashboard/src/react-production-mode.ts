/**
 * React picks its development or production build from NODE_ENV when it is
 * first loaded. The development build roughly doubles the cost of every
 * redraw (prop checks, render timings), which the trainer pays. So, unless
 * the user chose a mode, run React in production mode. Must be imported
 * before anything that loads ink or react.
 */
process.env.NODE_ENV ??= 'production';

export {};
