"""The CNN lesson's config: URL round trip, clear errors, a custom kernel, cycling channel kernels."""
import pytest

from core.lessons.cnn import arithmetic
from core.lessons.cnn.config import CNNConfig


def test_config_round_trips_and_rejects_nonsense():
    cfg = CNNConfig(index=17, kernel="custom", custom=tuple(float(i % 3 - 1) for i in range(25)), stride=2,
                           padding=3, pool=3, in_channels=3, out_channels=1,
                           channel_kernels=("emboss", "identity", "sharpen"), epochs=1, lr=0.05, network="bn",
                           image=42)
    assert CNNConfig.from_query(cfg.to_query()) == (cfg, [])
    assert cfg.kernel_tensor().shape == (5, 5)
    # the custom values may come before or after kernel=custom in a link
    params = {"custom": "1,2,3,4,5,6,7,8,9", "kernel": "custom"}
    assert CNNConfig.from_query(params)[0].kernel_tensor()[2, 2] == 9
    bad, messages = CNNConfig.from_query(
        {"stride": "0", "kernel": "wavelet", "custom": "1,2,nan", "pool": "99", "channel_kernels": "gaussian5",
         "lr": "-1", "index": "abc", "network": "resnet"})
    assert bad == CNNConfig()
    joined = " ".join(messages)
    for name in ("stride", "kernel", "custom", "pool", "channel_kernels", "lr", "index", "network"):
        assert f"{name}=" in joined
    with pytest.raises(ValueError, match="Stride must be between 1"):
        CNNConfig(stride=0)
    for bad_value in (float("inf"), 200.0):
        with pytest.raises(ValueError, match="Custom kernel values must be numbers between -100 and 100"):
            CNNConfig(kernel="custom", custom=(bad_value,) + (0.0,) * 8)
    # beside a preset the custom values are kept (a link carries them) but unused, so not range-checked...
    beside = CNNConfig(kernel="sobel_x", custom=(200.0,) + (0.0,) * 8)
    assert beside.kernel_tensor()[0, 0] == -1
    assert arithmetic.custom_problem(beside.custom) and arithmetic.custom_problem(arithmetic.IDENTITY3) is None
    with pytest.raises(ValueError, match="9 .* or 25"):  # ...but always 9 or 25 of them: the table needs that
        CNNConfig(custom=(1.0, 2.0))
    # any channel counts work with any list of channel kernels: it cycles
    grid = CNNConfig(in_channels=3, out_channels=3).channel_grid()  # cell 8 -> 8 % 4 = 0
    assert len(grid) == 3 and grid[2][2] == "sobel_x" and grid[0][1] == "sobel_y"


def test_shrink_and_run_all_on_a_few_hundred_images():
    from core.data import load_dataset
    from core.lessons.cnn import experiment
    from core.lessons.cnn.config import CNNConfig, shrink

    small = shrink(CNNConfig(epochs=3, network="bn", image=5))
    assert small.epochs == 1 and small.network == "bn" and small.image == 5
    data = load_dataset("mnist", offline=True).subset(300, 100)
    assert experiment.run_all(small, data, seed=0) is None
