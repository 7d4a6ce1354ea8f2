"""`wenze batch`: many incidents under the baseline and every scenario, across worker processes."""
