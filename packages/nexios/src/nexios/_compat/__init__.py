"""Upstream Nexios compatibility: names and accessors that exist only so that apps written for
upstream Nexios run unchanged.

The implementation packages have one name for each thing; the other spellings upstream used live
here, and the documented module paths (``nexios.config``, ``nexios.routing``...) re-export them.
Nothing in the implementation packages imports this layer.
"""
