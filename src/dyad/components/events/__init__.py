"""Event coding: who did what to whom, from verb patterns over the dependency parse."""
