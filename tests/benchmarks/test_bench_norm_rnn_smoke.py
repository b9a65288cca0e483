"""The normalization/recurrent-cell kernel benchmark in smoke mode: it runs
and renders its table (no timing is asserted)."""
from tests.benchmarks import bench_norm_rnn


def test_bench_norm_rnn_smoke():
    rows = bench_norm_rnn.run(smoke=True)
    assert {r["kernel"] for r in rows} >= {
        "layer_norm_fwd", "lstm_cell_bwd", "lstm_seq_fwd", "lstm_seq_bwd"}
    assert "| layer_norm_fwd" in bench_norm_rnn.markdown(rows)
