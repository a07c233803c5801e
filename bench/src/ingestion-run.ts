/**
 * Child of the ingestion benchmark: streams a Kaggle-format CSV through the
 * mbti app's reader and cleaning, keeping nothing. Prints RESULT {people, posts, seconds}.
 */
import { readPeople } from 'mbti';

const started = performance.now();
const { people, summary } = readPeople(process.argv[2]!);
let chars = 0;
for await (const person of people) chars += person.posts.length;
console.log(`RESULT ${JSON.stringify({ people: summary.people, posts: summary.posts, seconds: (performance.now() - started) / 1000, chars })}`);
