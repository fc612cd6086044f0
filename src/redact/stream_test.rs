//! Property tests: streamed output equals whole-buffer output for every split.
