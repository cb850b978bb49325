/** Where each pipeline step reads and writes in the data bucket; the definition and the IAM grants share these. */
export const PIPELINE_PREFIXES = {
  images: 'images/',
  embeddings: 'embeddings/',
  kmeans: 'kmeans/',
  assignments: 'assignments/',
  personalize: 'personalize/',
  runs: 'runs/',
} as const;

/** Under `personalize/<generation>/`: the distinct users of the training interactions, marked at publish. */
export const TRAINED_USERS_FILE = 'users.txt';
