"""The numbers of ValueChain, in plain Python and numpy: no Django import here."""
