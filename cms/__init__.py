"""The portal's Django project (see README.md and docs/)."""

import os

# numpy's OpenBLAS starts a thread per core for every matrix product. In a web
# process the chatbot's one product per question (2,000 answers × 384) is far too
# small for that, and on a 2-core machine shared with other workers the threads
# wait on each other: a new question's p99 was 60 ms with them and 33 ms without
# (`portal bench chat`). Set before numpy is first imported; the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
