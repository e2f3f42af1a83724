package sentiment

// dataDir is the shared training and evaluation data, relative to this package.
const dataDir = "../../../shared/data/sentiment"
