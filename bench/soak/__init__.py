"""`make soak` (`python -m bench.soak`): 100 learners practise for a minute while gunicorn
workers are killed and PostgreSQL restarts; then every acknowledged grade is checked.

bench/soak/run.py runs it (the database, the server, the learners, the faults);
client.py is the learners, faults.py kills workers and restarts the database,
checks.py says which failures the faults explain and what the run must show.
"""
