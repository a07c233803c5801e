// What other packages (the bench, the end-to-end tests) may use of the mbti app.
export { describeSkipped, readPeople, requirePeople } from './csv-reader.js';
export type { Person, ReadSummary } from './csv-reader.js';
export { CLEANING_VERSION, cleanPosts } from './post-cleaning.js';
export { AXES } from './personality-type.js';
export { DEFAULT_EPOCHS, mbtiApp, mbtiTrainCommand } from './mbti-app.js';
export type { MbtiTrainOptions } from './mbti-app.js';
