"""sitemap.xml: the public pages (home, library, topics, published questions)."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from quizzes.library.queries import question_url
from quizzes.models import Question, Topic


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["home", "library"]

    def location(self, item):
        return reverse(item)


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Topic.objects.with_published_questions()
            .annotate(lastmod=Max("questions__updated_at"))
            .order_by("order", "name")
        )

    def location(self, topic):
        return reverse("library_topic", args=[topic.slug])

    def lastmod(self, topic):
        return topic.lastmod


class QuestionSitemap(Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return (
            Question.objects.published()
            .select_related("topic")
            .only("key", "updated_at", "topic__slug")
            .order_by("pk")
        )

    def location(self, question):
        return question_url(question)

    def lastmod(self, question):
        return question.updated_at


SITEMAPS = {"pages": StaticSitemap, "topics": TopicSitemap, "questions": QuestionSitemap}
