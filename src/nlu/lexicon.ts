/**
 * Small spelling tables for normalisation: these are not training phrases but the character-level tricks
 * merchants use (pinyin in place of a character, homophone typos), mapped to the canonical character.
 */

/** Pinyin syllables (and pairs) that stand for a character of the POS vocabulary when glued to Chinese. */
export const PINYIN = new Map<string, string>([
  ["shua", "刷"],
  ["ka", "卡"],
  ["zhang", "账"],
  ["jiao", "交"],
  ["jiaoyi", "交易"],
  ["jiesuan", "结算"],
  ["qian", "钱"],
  ["tui", "退"],
  ["kuan", "款"],
  ["dong", "冻"],
  ["suan", "算"],
  ["fei", "费"],
  ["qiandao", "签到"],
  ["daozhang", "到账"],
  ["shuaka", "刷卡"],
  ["dongjie", "冻结"],
  ["tuikuan", "退款"],
]);

/** Homophone and look-alike typos, wrong → right, applied in order after simplification. */
export const HOMOPHONES: ReadonlyArray<readonly [string, string]> = [
  ["咔", "卡"],
  ["帐", "账"],
  ["到帐", "到账"],
  ["交意", "交易"],
  ["交义", "交易"],
  ["终瑞", "终端"],
  ["中端", "终端"],
  ["蚕到", "签到"],
  ["冬结", "冻结"],
  ["东结", "冻结"],
  ["失填", "失败"],
  ["失拜", "失败"],
  ["通迅", "通讯"],
  ["通信失败", "通讯失败"],
  ["小表", "小票"],
  ["小漂", "小票"],
  ["打应", "打印"],
  ["手序费", "手续费"],
  ["收续费", "手续费"],
  ["费律", "费率"],
  ["撒销", "撤销"],
  ["撤消", "撤销"],
  ["刷咔", "刷卡"],
  ["蟹蟹", "谢谢"],
];

/**
 * Chat shorthand and contractions, word → the word it stands for, read by the tokenizer only (answers to
 * the bot's questions are parsed from the normalised text, untouched by this table).
 */
export const WORD_VARIANTS: ReadonlyMap<string, string> = new Map([
  ...["thx", "thnx", "thanx", "thnks", "thks", "tks", "ty", "tq", "thanku", "thankyou", "3q"].map(
    (w) => [w, "thanks"] as const,
  ),
  ...["cya", "ttyl", "byebye", "bbye"].map((w) => [w, "bye"] as const),
  ...[
    "cannot",
    "cant",
    "dont",
    "doesnt",
    "didnt",
    "wont",
    "isnt",
    "arent",
    "wasnt",
    "werent",
    "couldnt",
    "wouldnt",
    "havent",
    "hasnt",
    "aint",
  ].map((w) => [w, "not"] as const),
  ["u", "you"],
  ["ur", "your"],
  ["r", "are"],
  ["plz", "please"],
  ["msg", "message"],
  ["txn", "transaction"],
  ["trxn", "transaction"],
  ["amt", "amount"],
  ["acct", "account"],
  ["pwd", "password"],
]);

/** Whole messages that are only a number but mean a word: "88" and "886" are "bye-bye" in Chinese chat. */
export const NUMBER_WORDS: ReadonlyMap<string, string> = new Map([
  ["88", "拜拜"],
  ["886", "拜拜"],
]);
