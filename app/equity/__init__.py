"""Turnout equity: who took part, against who lives where, and an anonymous survey."""
