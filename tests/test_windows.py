"""The forecaster's numerics without training: windows, their scaling, conformal intervals."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sktcn import _conformal, _window_scaling, _windows


def _spec(L=4, H=2, scaling="standard", arrays=None, forking=False):
    scale = _window_scaling.get_scaling(scaling)
    fitted = _window_scaling.fit_series_statistics(scale, arrays) if arrays is not None else None
    return _windows.WindowSpec(L, H, scale, _window_scaling.statistics_table(fitted), forking)


def _arrays(*series):
    return [(key, np.asarray(y, dtype=np.float64)[:, None], None) for key, y in enumerate(series)]


# --------------------------------------------------------------------- scalings
@pytest.mark.parametrize("name", list(_window_scaling.SCALINGS))
def test_every_scaling_inverts_exactly(name):
    rng = np.random.RandomState(0)
    windows = rng.normal(loc=5, scale=3, size=(6, 10, 2))
    scaling = _window_scaling.get_scaling(name)
    offset, scale = _window_scaling.window_statistics(scaling, windows,
                                                      scaling.statistics(windows[0]) if scaling.per_series else None)
    assert offset.shape == scale.shape == (6, 2) and np.all(scale > 0)
    scaled = _window_scaling.apply(windows, offset, scale)
    np.testing.assert_allclose(_window_scaling.invert(scaled, offset, scale), windows)


def test_standard_scaling_gives_unit_windows_and_mean_scaling_keeps_the_sign():
    rng = np.random.RandomState(1)
    windows = rng.normal(loc=100, scale=7, size=(3, 20, 1))
    offset, scale = _window_scaling.standardise(windows, axis=1)
    scaled = _window_scaling.apply(windows, offset, scale)
    np.testing.assert_allclose(scaled.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=1), 1)
    offset, scale = _window_scaling.mean_scale(windows, axis=1)
    assert np.all(offset == 0) and np.all(_window_scaling.apply(windows, offset, scale) > 0)


def test_constant_data_gets_scale_one():
    flat = np.full((5, 2), 3.0)
    for statistics in (_window_scaling.standardise, _window_scaling.mean_scale, _window_scaling.min_max):
        _, scale = statistics(flat)
        assert np.all(scale > 0)
    assert _window_scaling.standardise(flat)[1].tolist() == [1.0, 1.0]
    assert _window_scaling.mean_scale(np.zeros((4, 1)))[1].tolist() == [1.0]


def test_unknown_scaling_is_an_error_naming_the_choices():
    with pytest.raises(ValueError, match=r"scaling='log' is not supported; use one of \['standard', 'mean', 'series'\]"):
        _window_scaling.get_scaling("log")


def test_series_statistics_are_fitted_per_series_and_unknown_series_refused():
    arrays = _arrays(np.arange(10.0), 10 + 2 * np.arange(10.0))
    fitted = _window_scaling.fit_series_statistics(_window_scaling.get_scaling("series"), arrays)
    table = _window_scaling.statistics_table(fitted)
    assert table[0][0].tolist() == [0.0] and table[0][1].tolist() == [9.0]
    assert table[1][0].tolist() == [10.0] and table[1][1].tolist() == [18.0]
    assert _window_scaling.fit_series_statistics(_window_scaling.get_scaling("standard"), arrays) is None
    with pytest.raises(ValueError, match="Series 'new' was not in the data"):
        _window_scaling.series_statistics(table, "new")


# ---------------------------------------------------------------------- windows
def test_rows_name_every_window_of_every_series():
    rows, position = _windows.window_rows([7, 5], window_length=3, horizon=2)
    assert rows.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert position.tolist() == [-2, -1, 0, 0]


@pytest.mark.parametrize("n_windows", [[1000], [300, 5, 257], [7, 7], []])
@pytest.mark.parametrize("max_per_series", [1, 3, 256, None])
def test_spaced_rows_keep_evenly_spaced_windows_ending_with_each_series_latest(n_windows, max_per_series):
    window_length = 24
    rows = np.array([[series, start] for series, count in enumerate(n_windows) for start in range(count)],
                    dtype=np.int64).reshape(-1, 2)
    kept = _windows.spaced_rows(rows, max_per_series, window_length)
    assert len({tuple(row) for row in kept}) == len(kept) and set(map(tuple, kept)) <= set(map(tuple, rows))
    for series, count in enumerate(n_windows):
        starts = kept[kept[:, 0] == series, 1]
        if max_per_series is None or count <= max_per_series:
            np.testing.assert_array_equal(starts, np.arange(count))  # short series: every window, in order
            continue
        # Every k-th counted back from the most recent, k the least that keeps at most
        # max_per_series, but at most window_length apart, so that every step is still read.
        k = min(-(-count // max_per_series), window_length)
        np.testing.assert_array_equal(starts, np.arange(count - 1, -1, -k)[::-1])
        assert len(starts) <= max_per_series or k == window_length


def test_spaced_rows_count_back_from_the_latest_of_the_rows_given():
    # The calibration's networks train on a series' earlier windows only: spacing anchors at the last of those.
    rows = np.array([[0, start] for start in range(10, 30)])
    np.testing.assert_array_equal(_windows.spaced_rows(rows, 5, 10)[:, 1], [13, 17, 21, 25, 29])


def test_windows_and_targets_are_the_series_scaled_by_each_window():
    y = np.arange(12.0) ** 2
    arrays = _arrays(y)
    spec = _spec(L=4, H=2)
    rows, _ = _windows.window_rows([12], 4, 2)
    inputs, targets, fit_targets = _windows.windows_at(spec, arrays, rows)
    assert inputs.dtype == np.float32 and inputs.shape == (7, 4, 1) and targets.shape == (7, 2, 1)
    mean, std = y[2:6].mean(), y[2:6].std()
    np.testing.assert_allclose(inputs[2, :, 0], (y[2:6] - mean) / std, rtol=1e-6)
    np.testing.assert_allclose(targets[2, :, 0], (y[6:8] - mean) / std, rtol=1e-6)
    np.testing.assert_array_equal(fit_targets, targets.reshape(7, -1))


def test_forking_targets_follow_every_step_of_the_window():
    y = np.arange(10.0) ** 1.5
    spec = _spec(L=3, H=2, forking=True)
    rows, _ = _windows.window_rows([10], 3, 2)
    inputs, targets, fit_targets = _windows.windows_at(spec, _arrays(y), rows)
    assert fit_targets.shape == (len(rows), 3, 2)
    np.testing.assert_array_equal(fit_targets[:, -1], targets.reshape(len(rows), -1))
    mean, std = y[1:4].mean(), y[1:4].std()
    np.testing.assert_allclose(fit_targets[1, 0], (y[2:4] - mean) / std, rtol=1e-6)


def test_windows_of_a_panel_come_back_in_the_rows_order():
    arrays = _arrays(np.arange(8.0), 100 + np.arange(8.0) ** 2)
    spec = _spec(L=3, H=1)
    rows = np.array([[1, 2], [0, 0], [1, 0], [0, 4]])
    inputs, targets = _windows.windows_at(spec, arrays, rows, fit_targets=False)
    for i, (number, start) in enumerate(rows):
        alone, alone_target = _windows.windows_at(spec, arrays, rows[i:i + 1], fit_targets=False)
        np.testing.assert_array_equal(inputs[i], alone[0])
        np.testing.assert_array_equal(targets[i], alone_target[0])


@pytest.mark.parametrize("baseline", [None, "seasonal_naive"])
def test_windows_made_in_chunks_are_those_made_at_once(monkeypatch, rng, baseline):
    # Chunks bound the float64 working arrays of a long series' windows; a window depends on its own row only.
    arrays = _arrays(*(rng.normal(size=60).cumsum() + 10 * k for k in range(5)))
    spec = dataclasses.replace(_spec(L=6, H=3, forking=True), baseline=baseline, sp=4)
    rows, _ = _windows.window_rows([60] * 5, 6, 3)
    rows = rows[rng.permutation(len(rows))]
    whole = _windows.windows_at(spec, arrays, rows)
    monkeypatch.setattr(_windows, "_WINDOW_CHUNK_BYTES", 1000)  # a few rows per chunk
    chunked = _windows.windows_at(spec, arrays, rows)
    assert len(chunked) == 3 and all(part.dtype == np.float32 for part in chunked)
    for a, b in zip(whole, chunked):
        np.testing.assert_array_equal(a, b)
    # The rows' own order, for the other per-row helpers too (each series' rows grouped by one sort).
    (scales, intervals), varies = _windows.scales_at(spec, arrays, rows), _windows.varying_at(spec, arrays, rows)
    for i in range(0, len(rows), 7):
        alone = _windows.windows_at(spec, arrays, rows[i:i + 1])
        assert all(np.array_equal(part[i], one[0]) for part, one in zip(whole, alone))
        one_scale, one_interval = _windows.scales_at(spec, arrays, rows[i:i + 1])
        assert scales[i] == one_scale[0] and intervals[i] == one_interval[0]
        assert varies[i] == _windows.varying_at(spec, arrays, rows[i:i + 1])[0]


def test_exogenous_inputs_carry_the_horizon_and_a_flag():
    y = np.arange(10.0)[:, None]
    x = np.column_stack([np.linspace(0, 1, 10)])
    spec = _spec(L=4, H=2)
    inputs, _ = _windows.windows_at(spec, [(None, y, x)], np.array([[0, 1]]), fit_targets=False)
    assert inputs.shape == (1, 6, 3)  # y, X, flag over window + horizon
    assert inputs[0, 4:, 0].tolist() == [0.0, 0.0] and inputs[0, :, 2].tolist() == [0, 0, 0, 0, 1, 1]
    np.testing.assert_allclose(inputs[0, :, 1].mean(), 0, atol=1e-6)


def test_series_scaling_uses_the_fitted_statistics_in_every_window():
    y = np.arange(10.0)
    arrays = _arrays(y)
    spec = _spec(L=3, H=1, scaling="series", arrays=arrays)
    inputs, targets = _windows.windows_at(spec, arrays, np.array([[0, 5]]), fit_targets=False)
    np.testing.assert_allclose(inputs[0, :, 0], y[5:8] / 9.0, rtol=1e-6)
    np.testing.assert_allclose(targets[0, 0, 0], 8 / 9.0, rtol=1e-6)


def test_series_of_splits_a_panel_and_keeps_a_single_series_whole():
    index = pd.MultiIndex.from_product([["a", "b"], range(3)], names=["unit", "time"])
    frame = pd.DataFrame({"y": np.arange(6.0)}, index=index)
    parts = _windows.series_of(frame)
    assert [key for key, _ in parts] == [("a",), ("b",)] and parts[1][1]["y"].tolist() == [3.0, 4.0, 5.0]
    single = pd.DataFrame({"y": np.arange(3.0)})
    assert _windows.series_of(single)[0][0] is None


def test_a_window_scales_alike_whatever_the_frame_memory_layout():
    # pandas 2 gives a frame built from a row-major array (and one restored from
    # a file) row-major values, one built from columns column-major: numpy sums a
    # window's rows in another order for each, so a loaded forecaster's forecasts
    # were 1 ulp off the saved one's.
    rng = np.random.RandomState(0)
    values = rng.normal(loc=3, scale=2, size=(40, 3))
    by_columns = pd.DataFrame(np.asfortranarray(values))
    by_rows = pd.DataFrame(np.ascontiguousarray(values), copy=False)
    spec, L = _spec(L=16), 16
    scaled = []
    for frame in (by_columns, by_rows):
        (_, y, x), = _windows.series_arrays(frame, frame)
        assert y.flags.f_contiguous and x.flags.f_contiguous
        scaled.append(_windows.scaled_window(spec, None, y[None, -L:], None, np.array([len(y) - L])))
    for column_major, row_major in zip(*scaled):
        assert np.array_equal(column_major, row_major)


def test_window_length_too_long_says_what_to_change():
    with pytest.raises(ValueError, match="needs at least 12"):
        _windows.choose_window_length([10], horizon=2, window_length=10)
    assert _windows.choose_window_length([10], horizon=2, window_length=3) == 3
    assert _windows.choose_window_length([12], horizon=2, window_length=10) == 10  # exactly long enough


def test_automatic_window_length_is_clipped_to_what_the_shortest_series_allows():
    # The four long series keep the automatic window at 10; 11 values and a horizon of 3 allow 8.
    assert _windows.choose_window_length([40, 40, 40, 40, 11], horizon=3) == 8


def test_window_batches_cover_the_rows_and_reshuffle_each_epoch():
    rows = np.arange(20)[:, None]
    batches = _windows.WindowBatches(lambda r: (r, None, r), rows, 6, True, 0)
    assert len(batches) == 4
    first = np.concatenate([batches[i][0] for i in range(4)]).ravel()
    batches.on_epoch_end()
    second = np.concatenate([batches[i][0] for i in range(4)]).ravel()
    assert sorted(first) == sorted(second) == list(range(20)) and list(first) != list(second)
    fixed = _windows.WindowBatches(lambda r: (r, None, r), rows, 6, False, 0)
    assert np.concatenate([fixed[i][0] for i in range(4)]).ravel().tolist() == list(range(20))


# -------------------------------------------------------------------- conformal
def test_residual_scale_never_shrinks_further_ahead():
    residuals = np.array([[[3.0], [1.0], [4.0]], [[3.0], [1.0], [0.0]]])
    scale = _conformal.residual_scale(residuals)[:, 0]
    assert np.all(np.diff(scale) >= 0) and scale[1] == scale[0]
    assert _conformal.residual_scale(np.zeros((2, 2, 1)))[:, 0].tolist() == [1.0, 1.0]


def test_residual_scale_leans_on_all_steps_when_windows_are_few():
    step_rms = np.array([1.0, 3.0])
    pooled = np.sqrt(np.mean(step_rms ** 2))

    def scale(n_windows):
        return _conformal.residual_scale(np.tile(step_rms[None, :, None], (n_windows, 1, 1)))[:, 0]

    few, many = scale(2), scale(2000)
    # few windows: both steps near the pooled scale; many: each step its own
    assert abs(few[0] - pooled) < abs(few[0] - step_rms[0]) and few[1] < step_rms[1]
    np.testing.assert_allclose(many, step_rms, rtol=0.01)
    prior = _conformal.SCALE_PRIOR_WINDOWS
    np.testing.assert_allclose(scale(prior) ** 2, (step_rms ** 2 + pooled ** 2) / 2)


def test_calibration_blocks_hold_out_recent_windows_trained_only_on_earlier_targets():
    _, position = _windows.window_rows([30, 30], window_length=5, horizon=3)
    blocks = _conformal.calibration_blocks(position, 0.25, n_series=2, horizon=3, folds=3)
    assert len(blocks) == 3
    held = [position[h] for _, h in blocks]
    assert sorted(np.concatenate(held)) == sorted(position[position >= -5])  # the newest 25 % of each series
    for trained, held_out in blocks:
        assert not (trained & held_out).any()
        # every trained window's targets end before the block's first target
        assert position[trained].max() + 3 <= position[held_out].min()
    assert _conformal.calibration_blocks(position, 0.0, 2, 3, 3) == []
    # Blocks of -8..-6, -5..-3 and -2..0 of ten windows: the first would train on one window only, and is left out.
    blocks = _conformal.calibration_blocks(np.arange(-9, 1), 0.9, 1, horizon=1, folds=3)
    assert [(int(trained.sum()), int(held_out.sum())) for trained, held_out in blocks] == [(4, 3), (7, 3)]


def test_conformal_quantiles_cover_the_calibration_errors_and_never_cross():
    rng = np.random.RandomState(0)
    residuals = rng.normal(size=(200, 3, 1)) * np.array([1.0, 2.0, 3.0])[None, :, None]
    alpha = [0.05, 0.1, 0.5, 0.9, 0.95]
    shifts = np.stack(_conformal.quantile_shifts(residuals, alpha, steps=np.arange(3)))
    assert np.all(np.diff(shifts, axis=0) >= 0)  # quantiles ordered at every step
    inside = (residuals >= shifts[1]) & (residuals <= shifts[3])
    assert inside.mean() >= 0.8
    # the further step's interval is wider, by its own error scale
    width = shifts[-1] - shifts[0]
    assert width[0, 0] < width[1, 0] < width[2, 0]


def test_conformal_level_corrects_for_the_finite_sample():
    # The level k / n of the k-th smallest of n residuals.
    assert _conformal.conformal_rank(0.9, 9) / 9 == 1.0
    assert _conformal.conformal_rank(0.9, 99) / 99 == pytest.approx(0.9090909)
    assert _conformal.conformal_rank(0.1, 99) / 99 == pytest.approx(10 / 99)
    assert _conformal.conformal_rank(0.9, 10) == 10  # ceil(0.9 * 11); without the correction ceil(0.9 * 10) = 9


def test_conformal_half_width_is_the_kth_smallest_residual():
    # Split conformal with n = 9 errors 1..9: the half-width of coverage c is the
    # k-th smallest, k = ceil(c * 10): 5, 6, 8 and 9 for 50, 60, 80 and 90 %
    # (the quantile "higher" at k/n read the (k+1)-th: 80 % was as wide as 90 %).
    residuals = np.arange(1.0, 10.0)[:, None, None]
    alpha = [0.05, 0.1, 0.2, 0.25, 0.75, 0.8, 0.9, 0.95]
    shifts = [float(s[0, 0]) for s in _conformal.quantile_shifts(residuals, alpha, steps=[0])]
    np.testing.assert_allclose(shifts, [-9, -8, -6, -5, 5, 6, 8, 9], rtol=1e-12)
    assert [_conformal.conformal_rank(c, 9) for c in (0.5, 0.6, 0.8, 0.9, 0.99, 0.0)] == [5, 6, 8, 9, 9, 1]
    assert _conformal.conformal_rank(0.7, 9) == 7  # 0.7 * 10 is 7.000000000000001 in floating point


@pytest.mark.parametrize("n", [4, 9, 19, 37, 100, 263])
def test_conformal_interval_ends_are_symmetric_for_every_level(n):
    # |2 alpha - 1| of alpha and 1 - alpha differ in the last bit for many levels
    # (0.2 and 0.8 among them), which once gave the two ends different ranks.
    residuals = np.random.RandomState(n).standard_cauchy(size=(n, 1, 1))
    low = np.round(np.arange(0.001, 0.5, 0.001), 3)
    lower = np.stack(_conformal.quantile_shifts(residuals, low, steps=[0]))
    upper = np.stack(_conformal.quantile_shifts(residuals, 1 - low, steps=[0]))
    np.testing.assert_array_equal(lower, -upper)
    assert np.all(np.diff(lower.ravel()) >= 0)  # moving outwards as alpha moves away from 0.5, never crossing
    assert np.all(lower < 0)


def test_intervals_stay_centred_when_the_calibration_errors_share_a_sign():
    # Few consecutive held-out windows often err the same way; the interval must
    # still hold the point forecast, not move above it.
    residuals = np.abs(np.random.RandomState(1).normal(size=(10, 4, 1))) + 0.5
    lower, upper = _conformal.quantile_shifts(residuals, [0.05, 0.95], steps=np.arange(4))
    assert np.all(lower < 0) and np.all(upper > 0)
    np.testing.assert_allclose(lower, -upper)


# ---------------------------------------------- windows without a scale of their own
@pytest.mark.parametrize("name", list(_window_scaling.SCALINGS))
def test_has_scale_says_where_the_statistics_fall_back(name):
    scaling = _window_scaling.get_scaling(name)
    windows = np.stack([np.linspace(-1.0, 3.0, 5), np.full(5, 0.0), np.full(5, 7.0)])[..., None]
    has_scale = scaling.has_scale(windows, axis=1)[:, 0]
    expected = [True, False, name == "mean"]  # a constant 7 has a mean absolute value, not a spread
    assert has_scale.tolist() == expected
    assert np.all(scaling.statistics(windows, axis=1)[1][~has_scale] == 1.0)


def test_fallback_scale_is_the_median_of_the_series_own_window_scales():
    standard = _window_scaling.get_scaling("standard")
    y = np.concatenate([np.arange(10.0), np.full(10, 9.0), 9.0 + 3 * np.arange(10.0)])[:, None]
    own = [y[s:s + 4, 0].std() for s in range(len(y) - 3) if y[s:s + 4, 0].std() > 0]
    np.testing.assert_allclose(_window_scaling.fallback_scale(standard, y, 4), [np.median(own)])
    # a series whose values are all equal has none; a per-series scale falls back only
    # when the whole series lacks one, to raw units if its values differ at all
    assert _window_scaling.fallback_scale(standard, np.zeros((30, 1)), 4).tolist() == [0.0]
    assert _window_scaling.fallback_scale(_window_scaling.get_scaling("series"), y, 4).tolist() == [1.0]
    assert _window_scaling.fallback_scale(_window_scaling.get_scaling("series"), np.full((30, 1), 7.0),
                                          4).tolist() == [0.0]


@pytest.mark.parametrize("name, y, window_length", [
    # one-step windows have no standard deviation (the automatic window of short series)
    ("standard", 10.0 + np.random.RandomState(0).normal(size=40).cumsum(), 1),
    # noise of sd 3 about 1e9, values near 1e-9: spreads below _is_scale's threshold
    ("standard", 1e9 + 3.0 * np.random.RandomState(1).normal(size=40), 5),
    ("standard", 1e-9 * (1.0 + np.random.RandomState(2).normal(size=40)), 5),
    ("series", 1e9 + np.random.RandomState(3).normal(size=40), 5),
])
def test_series_that_vary_without_any_own_scale_window_stay_in_raw_units(name, y, window_length):
    # Their fallback was 0: every residual NaN, every interval of zero width.
    scaling = _window_scaling.get_scaling(name)
    y = y[:, None]
    windows = np.lib.stride_tricks.sliding_window_view(y, window_length, axis=0).transpose(0, 2, 1)
    assert not _window_scaling.window_has_scale(scaling, windows, y).any()
    assert _window_scaling.fallback_scale(scaling, y, window_length).tolist() == [1.0]
    arrays = _arrays(y[:, 0])
    spec = _spec(L=window_length, H=2, scaling=name, arrays=arrays)
    rows, _ = _windows.window_rows([len(y)], window_length, 2)
    scales, intervals = _windows.scales_at(spec, arrays, rows)
    np.testing.assert_array_equal(intervals, scales)  # raw units, scale 1, as before the fallback
    residuals = np.random.RandomState(4).normal(size=(len(rows), 2, 1))
    np.testing.assert_array_equal(_conformal.to_interval_units(residuals, scales, intervals), residuals)


def test_fallback_scale_reads_long_series_in_chunks_alike(monkeypatch):
    standard = _window_scaling.get_scaling("standard")
    y = np.random.RandomState(0).normal(size=(200, 2)).cumsum(axis=0)
    y[50:80] = y[49]
    whole = _window_scaling.fallback_scale(standard, y, 6)
    monkeypatch.setattr(_window_scaling, "_FALLBACK_CHUNK_VALUES", 25)
    np.testing.assert_array_equal(_window_scaling.fallback_scale(standard, y, 6), whole)


@pytest.mark.parametrize("value, L", [(0.3, 10), (0.0012345, 6), (123.456, 5), (0.1, 3)])
@pytest.mark.parametrize("forking", [False, True])
def test_a_run_of_a_value_whose_mean_rounds_trains_towards_no_correction(value, L, forking):
    # The window's mean rounds, so its standardised values are ~1e-17, not 0: it
    # counted as varying, and its raw-unit target (the baseline's error) was trained on.
    run = np.full(L, value)
    assert np.any(run - run.mean() != 0)  # the rounding residue the test is about
    y = np.concatenate([run, [value + 0.5, value - 0.25]])
    spec = _windows.WindowSpec(L, 2, _window_scaling.get_scaling("standard"), forking=forking, baseline="naive")
    inputs, targets, fit_targets = _windows.windows_at(spec, _arrays(y), np.array([[0, 0]]))
    assert not _window_scaling.standard_has_scale(run[:, None])[0]  # its scale falls back to 1
    assert np.all(targets != 0) and not fit_targets.any()
    assert not _windows.varying(spec, None, run[None, :, None]).any()


def test_windows_vary_where_their_scaling_gives_them_a_scale_of_their_own():
    windows = np.array([[0.3] * 10, [0.0] * 10, [5.0] * 10, [0.3] * 9 + [0.3 + 1e-12], [0.3] * 9 + [0.31]])
    windows = np.stack([windows, windows[::-1]], axis=-1)  # (5, 10, 2): two variables
    for name, expected in [("standard", [False, False, False, False, True]),
                           ("mean", [True, False, True, True, True])]:  # "mean": a scale unless all zeros
        spec = _spec(L=10, scaling=name)
        got = _windows.varying(spec, None, windows)
        assert got[:, 0].tolist() == expected and got[:, 1].tolist() == expected[::-1], name
        has = _window_scaling.get_scaling(name).has_scale(windows, axis=1)
        np.testing.assert_array_equal(got, has)
    # A one-step window always varies: its scale is 1, like every other window's.
    assert _windows.varying(_spec(L=1), None, windows[:, :1]).all()


def test_with_the_series_scaling_only_windows_at_the_series_lowest_value_do_not_vary():
    y = np.array([0.3] * 5 + [2.0, 1.0] + [0.7] * 5)
    arrays = _arrays(y, np.full(12, 0.3))
    spec = _spec(L=5, scaling="series", arrays=arrays)
    windows = _windows.spans(y[:, None], np.array([0, 1, 7]), 5)
    # At the lowest value the window scales to exact zeros; a run at 0.7 keeps the series' scale.
    assert _windows.varying(spec, 0, windows)[:, 0].tolist() == [False, True, True]
    assert not _windows.varying(spec, 1, windows[:1]).any()  # a series that never varies
    rows = np.array([[0, 0], [0, 1], [0, 7], [1, 0]])
    np.testing.assert_array_equal(_windows.varying_at(spec, arrays, rows)[:, 0], [False, True, True, False])


def test_flat_windows_are_measured_in_their_series_fallback_scale():
    # 1e6 + a walk, flat for 15 steps: the flat windows' scale falls back to 1 (raw units).
    y = 1e6 + 1e4 * np.random.RandomState(0).normal(size=60).cumsum()
    y[20:35] = y[19]
    arrays = _arrays(y, np.zeros(60))
    spec = _spec(L=5, H=2)
    rows, _ = _windows.window_rows([60, 60], 5, 2)
    scales, intervals = _windows.scales_at(spec, arrays, rows)
    flat = ~_window_scaling.standard_has_scale(_windows.spans(y[:, None], rows[:54, 1], 5), axis=1)[:, 0]
    assert flat.sum() == 12 and np.all(scales[:54][flat] == 1.0)  # y[19:35], 16 equal values
    fallback = _window_scaling.fallback_scale(spec.scaling, y[:, None], 5)[0]
    assert 1e3 < fallback < 1e5 and np.all(intervals[:54][flat] == fallback)
    np.testing.assert_array_equal(intervals[:54][~flat], scales[:54][~flat])  # the others keep their own
    assert np.all(intervals[54:] == 0.0)  # the all-zero series has none


def test_residuals_in_interval_units_keep_own_scales_exactly_and_drop_series_without_one():
    rng = np.random.RandomState(0)
    residuals = rng.normal(size=(4, 3, 1)).astype(np.float32)
    scale = np.array([[0.3], [1.0], [1.0], [7.0]])
    interval = np.array([[0.3], [50.0], [0.0], [7.0]])  # window 1 flat, window 2 of a constant series
    measured = _conformal.to_interval_units(residuals, scale, interval)
    assert measured.dtype == residuals.dtype
    np.testing.assert_array_equal(measured[[0, 3]], residuals[[0, 3]])
    np.testing.assert_allclose(measured[1], residuals[1] / 50.0, rtol=1e-6)
    assert np.isnan(measured[2]).all()
    shifts = rng.normal(size=(4, 3, 1))
    back = _conformal.from_interval_units(shifts, scale, interval)
    np.testing.assert_array_equal(back[[0, 3]], shifts[[0, 3]])
    np.testing.assert_allclose(back[1], shifts[1] * 50.0)
    assert np.all(back[2] == 0.0)  # a constant series' interval has no width


def test_quantile_shifts_leave_out_windows_without_residuals():
    rng = np.random.RandomState(0)
    live = rng.normal(size=(30, 3, 2))
    pooled = np.concatenate([live, np.full((10, 3, 2), np.nan)])
    alpha = [0.05, 0.25, 0.75, 0.95]
    for with_nan, without in zip(_conformal.quantile_shifts(pooled, alpha, np.arange(3)),
                                 _conformal.quantile_shifts(live, alpha, np.arange(3))):
        np.testing.assert_allclose(with_nan, without)
    # Per variable: one variable's missing residuals leave the other's pool whole.
    partial = live.copy()
    partial[:10, :, 1] = np.nan
    shifts = _conformal.quantile_shifts(partial, alpha, np.arange(3))
    expected_first = _conformal.quantile_shifts(live[..., :1], alpha, np.arange(3))
    expected_second = _conformal.quantile_shifts(live[10:, :, 1:], alpha, np.arange(3))
    for got, first, second in zip(shifts, expected_first, expected_second):
        np.testing.assert_allclose(got, np.concatenate([first, second], axis=-1))
    assert np.all(np.diff(np.stack(shifts), axis=0) >= 0)  # still never crossing
    # No residual at all: no width.
    empty = _conformal.quantile_shifts(np.full((5, 3, 1), np.nan), alpha, np.arange(3))
    assert all(np.all(s == 0.0) for s in empty)


def test_pool_variance_is_the_mean_square_of_the_scaled_symmetric_pool():
    # 8 windows, errors 1 at step 0 and 3 at step 1: the steps' scales are sqrt(3)
    # and sqrt(7) (test above), so the pool holds eight 1/sqrt(3) and eight
    # 3/sqrt(7), whose mean square is (1/3 + 9/7) / 2 = 17/21; the variance of
    # step s is that times its scale squared. The signs do not matter: the
    # quantiles, and so the distribution, are symmetric about the point forecast.
    residuals = np.array([[[1.0], [-3.0]], [[-1.0], [3.0]]] * 4)
    steps = np.array([[0, 1], [1, 1]])  # any shape of steps, as quantile_shifts takes
    variance = _conformal.pool_variance(residuals, steps)
    assert variance.shape == (2, 2, 1)
    np.testing.assert_allclose(variance[..., 0], [[17 / 7, 17 / 3], [17 / 3, 17 / 3]], rtol=1e-12)
    np.testing.assert_array_equal(_conformal.pool_variance(-residuals, steps), variance)
    # The same pool as the quantiles': the half-widths of all n levels k/n are its members.
    n = residuals.size
    scale = _conformal.residual_scale(residuals)
    pool = np.sort(np.abs(residuals / scale).ravel())
    shifts = _conformal.quantile_shifts(residuals, [0.5 + k / (2 * (n + 1)) for k in range(1, n + 1)], steps=[0])
    np.testing.assert_allclose([float(s[0, 0]) / scale[0, 0] for s in shifts], pool)
    np.testing.assert_allclose(variance[0, 0, 0], np.mean(pool ** 2) * scale[0, 0] ** 2, rtol=1e-12)


def test_pool_variance_leaves_out_windows_without_residuals_as_the_quantiles_do():
    rng = np.random.RandomState(0)
    live = rng.normal(size=(30, 3, 2))
    partial = live.copy()
    partial[:10, :, 1] = np.nan
    variance = _conformal.pool_variance(partial, np.arange(3))
    np.testing.assert_allclose(variance, np.concatenate([_conformal.pool_variance(live[..., :1], np.arange(3)),
                                                         _conformal.pool_variance(live[10:, :, 1:], np.arange(3))],
                                                        axis=-1))
    assert np.all(_conformal.pool_variance(np.full((5, 3, 1), np.nan), np.arange(3)) == 0.0)
