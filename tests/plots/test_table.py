"""attn_lib.plots.table: the text and HTML table every notebook prints numbers with."""

import numpy as np
import pytest

from attn_lib.plots.table import Table


class TestTable:
    def test_text_layout(self):
        t = Table([[0.123, -0.001], [1, 2]], row_labels=["a", "bb"], col_labels=["x", "y"], title="T")
        assert repr(t) == ("T\n"
                           "      x    y\n"
                           "a  0.12 0.00\n"
                           "bb 1.00 2.00")

    def test_fixed_digits(self):
        t = Table([[0.1, 2.0 / 3.0, 10.0]], row_labels=["r"], col_labels=["a", "b", "c"], digits=3)
        assert repr(t).splitlines()[-1].split() == ["r", "0.100", "0.667", "10.000"]

    @pytest.mark.parametrize("digits", [0, 1, 2, 3])
    def test_no_negative_zero(self, digits):
        tiny = [-0.0, -1e-12, -0.4 * 10.0 ** -digits, 0.0]
        t = Table(np.array([tiny]), row_labels=["r"], col_labels=list("abcd"), digits=digits)
        zero = f"{0:.{digits}f}"
        assert repr(t).splitlines()[-1].split() == ["r"] + [zero] * 4
        assert ">-" not in t._repr_html_()                     # no cell starts with a minus sign

    def test_negative_numbers_keep_their_sign(self):
        t = Table([-0.5, 0.25], col_labels=["a", "b"])
        assert repr(t).splitlines()[-1].split() == ["-0.50", "0.25"]

    def test_vector_and_default_labels(self):
        t = Table([0.5, 0.25, 0.25])
        lines = repr(t).splitlines()
        assert lines[0].split() == ["0", "1", "2"] and lines[1].split() == ["0.50", "0.25", "0.25"]

    def test_html_is_escaped(self):
        html = Table([[1.0]], row_labels=["<b>"], col_labels=["a&b"], title="x<y")._repr_html_()
        assert "&lt;b&gt;" in html and "a&amp;b" in html and "x&lt;y" in html and "<b>" not in html
        assert "1.00" in html

    def test_label_count_checked(self):
        with pytest.raises(ValueError, match="col_labels"):
            Table([[1.0, 2.0]], row_labels=["r"], col_labels=["only one"])
