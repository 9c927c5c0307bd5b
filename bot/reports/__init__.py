"""Figures: statistics, assessment, the risk index, hot topics, charts and exports."""
