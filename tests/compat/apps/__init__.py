"""Apps written as upstream Nexios's guide pages write them, one module per guide page; the
tests next to this package run them unchanged against the ``nexios`` facade."""
