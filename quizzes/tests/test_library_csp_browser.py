"""The library question page's Bookmark and Suspend swap in place without breaking the CSP.

The page fixture fails a test on any console error, a CSP violation among them. The tester's
"Applying inline style" refusal (sha256-3jTX…) is the hash of the <style> of Django's debug
404 page: in DEBUG, django-htmx's script put that page in place of ours after an htmx
request answered 404. Our own pages and swaps add no inline style, in either mode.
"""

import pytest

from conftest import login_in_browser, settle
from quizzes.tests.factories import QuestionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The shipped RMSNorm question's maths and code, as the tester met them.
ANSWER = r"""RMSNorm rescales each token's vector by its root mean square, with a gain $g$:

$$
\operatorname{RMS}(x) = \sqrt{\frac{1}{d}\sum_{i=1}^{d} x_i^2 + \epsilon},
\qquad y = \frac{x}{\operatorname{RMS}(x)} \odot g
$$

**Differences from LayerNorm:**

- It usually has no bias $\beta$.

```python
class RMSNorm(nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)
```
"""


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_show_answer_bookmark_and_suspend_keep_to_the_csp(settings, page, learner, debug):
    settings.DEBUG = debug
    question = QuestionFactory(prompt="How does RMSNorm differ from LayerNorm?", answer=ANSWER)
    login_in_browser(page, learner)
    page.goto(f"/questions/{question.topic.slug}/{question.key}/")
    settle(page)
    page.get_by_text("Show answer").click()
    settle(page)
    page.get_by_role("button", name="☆ Bookmark").click()
    page.get_by_role("button", name="★ Bookmarked").wait_for()
    settle(page)
    page.get_by_role("button", name="Suspend").click()
    page.get_by_role("button", name="Unsuspend").wait_for()
    settle(page)
    page.wait_for_timeout(300)
