"""Each notebook's own data and experiments: ``lessonNN.py`` belongs to notebook NN.

A lesson module computes; it never draws. It imports numpy and :mod:`attn_lib.core` only, so
its numbers can be tested, printed and reused by the live views (:mod:`attn_lib.views`) and
the static figures (:mod:`attn_lib.plots`) alike.
"""
