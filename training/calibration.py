"""How far stance probabilities can be trusted: reliability bins and expected calibration error.

A prediction's confidence is its largest stance probability; it is correct
when that argmax is the gold stance. A calibrated model is right 70% of the
time when it says 0.7, so each bin's accuracy should match its mean confidence.
"""
from __future__ import annotations

import numpy as np

N_BINS = 10


def reliability_bins(stance_probs: np.ndarray, gold_stance: np.ndarray, n_bins: int = N_BINS) -> dict:
    """Equal-width confidence bins on [0, 1] and the ECE over them.

    Returns `{"ece": float, "bins": [{"lower", "upper", "count", "confidence", "accuracy"}, ...]}`;
    an empty bin has count 0 and confidence/accuracy None.
    """
    confidence = stance_probs.max(axis=1)
    correct = stance_probs.argmax(axis=1) == np.asarray(gold_stance)
    # Confidence 1.0 belongs in the top bin, not in an eleventh one.
    bin_index = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    bins, ece = [], 0.0
    for b in range(n_bins):
        members = bin_index == b
        count = int(members.sum())
        mean_confidence = float(confidence[members].mean()) if count else None
        accuracy = float(correct[members].mean()) if count else None
        if count:
            ece += count / len(confidence) * abs(accuracy - mean_confidence)
        bins.append({"lower": b / n_bins, "upper": (b + 1) / n_bins, "count": count, "confidence": mean_confidence, "accuracy": accuracy})
    return {"ece": float(ece), "bins": bins}


def fit_temperature(stance_probs: np.ndarray, gold_stance: np.ndarray) -> float:
    """The temperature T minimising the negative log-likelihood of softmax(log p / T) on labeled data.

    `stance_probs` are the model's probabilities at T = 1; dividing their logs
    by T is dividing the logits by T (the per-row constant cancels). One
    parameter, fitted on dev, so the argmax and every decision stay as trained.
    """
    from scipy.optimize import minimize_scalar

    log_p = np.log(np.clip(np.asarray(stance_probs, dtype=np.float64), 1e-30, None))
    rows = np.arange(len(log_p))

    def nll(log_t: float) -> float:
        z = log_p / np.exp(log_t)
        z -= z.max(axis=1, keepdims=True)
        return float(-(z[rows, gold_stance] - np.log(np.exp(z).sum(axis=1))).mean())

    best = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded", options={"xatol": 1e-4})
    return round(float(np.exp(best.x)), 4)


def fit_temperature_and_bias(stance_probs: np.ndarray, gold_stance: np.ndarray) -> tuple[float, tuple[float, ...]]:
    """T and a bias per stance minimising the NLL of softmax(log p / T + b): bias-corrected temperature scaling.

    The first stance's bias is held at 0 (adding one number to every bias
    changes nothing). Unlike T alone, the bias can change decisions: it
    corrects a model that leans toward one stance on dev.
    """
    from scipy.optimize import minimize

    from model.interface import calibrated_stance

    stance_probs = np.asarray(stance_probs, dtype=np.float64)
    log_p = np.log(np.clip(stance_probs, 1e-300, None))  # as calibrated_stance takes it
    n, k = log_p.shape
    onehot = np.eye(k)[np.asarray(gold_stance)]

    def nll_and_grad(params: np.ndarray) -> tuple[float, np.ndarray]:
        probs = calibrated_stance(stance_probs, float(np.exp(params[0])), np.concatenate([[0.0], params[1:]]))
        nll = -float((onehot * np.log(np.clip(probs, 1e-300, None))).sum() / n)
        residual = (probs - onehot) / n  # d nll / d z, z = log p / T + b
        grad_log_t = -float((residual * log_p).sum() / np.exp(params[0]))
        return nll, np.concatenate([[grad_log_t], residual.sum(axis=0)[1:]])

    best = minimize(nll_and_grad, np.zeros(k), jac=True, method="L-BFGS-B",
                    bounds=[(np.log(0.05), np.log(20.0))] + [(-10.0, 10.0)] * (k - 1))
    temperature = round(float(np.exp(best.x[0])), 4)
    return temperature, tuple([0.0] + [round(float(b), 4) for b in best.x[1:]])
