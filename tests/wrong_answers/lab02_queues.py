"""Plausible wrong answers to lab 02 that its tests must reject."""
from wrong_answers import WrongAnswer

CASES = [
    WrongAnswer("mm1_by_hand_answer", "test_mm1_by_hand",
                "arrival_rate, service_time = 40, 0.020\nrho = arrival_rate * service_time\n"
                "W_ms = 1000 * service_time / rho\nWq_ms = W_ms - 1000 * service_time\nL = arrival_rate * W_ms / 1000",
                says="Revisit", why="W = S / rho instead of S / (1 - rho)"),
]
