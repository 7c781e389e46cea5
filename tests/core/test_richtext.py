from html.parser import HTMLParser

import pytest
from tandem.core.richtext import ALLOWED_TAGS, render, to_plain_text


class Elements(HTMLParser):
    """Collects the real elements and attributes of rendered HTML."""

    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_markdown_subset_renders():
    html = render("**bold** and *soft*\n\n- one\n- two\n\n1. first")
    assert "<strong>bold</strong>" in html
    assert "<em>soft</em>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<ol>" in html


def test_line_breaks_are_kept():
    assert "<br>" in render("line one\nline two")


def test_links_get_safe_rel():
    html = render("[site](https://example.org) and https://example.com")
    assert html.count('rel="nofollow noopener noreferrer"') == 2


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        "<svg onload=alert(1)>",
        "<math><mi>x</mi></math>",
        "<style>body{}</style>",
        "<iframe src=x></iframe>",
        "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
        '<p style="color:red">x</p>',
        "[click](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
    ],
)
def test_html_in_input_is_inert(evil):
    html = render(evil)
    for tag, attrs in Elements(html).found:
        assert tag in ALLOWED_TAGS, html
        assert set(attrs) <= {"href", "rel"}, html
        assert not attrs.get("href", "").lower().startswith("javascript"), html


def test_headings_and_images_are_not_in_the_subset():
    html = render("# title\n\n![pic](https://example.org/a.png)")
    assert "<h1" not in html and "<img" not in html


def test_plain_text_drops_the_marks_and_keeps_the_words():
    text = to_plain_text(
        "**Bold** and *soft*\nnext line\n\n- one\n- two\n\n3. third\n4. fourth\n\n"
        "[the site](https://example.org) or https://example.org/x"
    )
    assert text == (
        "Bold and soft\nnext line\n\n- one\n- two\n\n3. third\n4. fourth\n\n"
        "the site (https://example.org) or https://example.org/x"
    )


def test_plain_text_leaves_html_as_the_text_it_was():
    assert to_plain_text("<b>x</b> & y") == "<b>x</b> & y"
    assert to_plain_text("") == ""
