"""Synthetic customer-experience exports (surveys, tickets, reviews) for the landing zone."""

from .core import generate

__all__ = ["generate"]
