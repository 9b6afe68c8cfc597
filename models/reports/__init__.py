"""Report cards: Jalali periods, each agency's figures, their monthly rollup and the ranking."""
