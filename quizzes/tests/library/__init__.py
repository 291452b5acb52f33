"""The library's views (quizzes/library/): its list and search, a question's page, a learner's
marks and practice from it, and the public pages."""
