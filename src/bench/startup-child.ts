/** A process that starts, loads the model (from the cache when there is one) and classifies one message. */
import { loadNlu } from "../nlu/model.js";

const { nlu, fromCache } = loadNlu();
const { intent } = nlu.understand("此卡无法交易");
process.stdout.write(`${JSON.stringify({ fromCache, intent })}\n`);
