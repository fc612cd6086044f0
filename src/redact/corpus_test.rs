//! Corpus test: recall on labelled secrets/PII and untouched hard negatives.
