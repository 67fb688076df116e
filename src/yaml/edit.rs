//! Surgical edits: new text spliced into the original bytes, so that comments, key order,
//! quoting and blank lines outside the edit stay byte-for-byte.
