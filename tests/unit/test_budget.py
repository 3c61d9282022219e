"""The training budget: multiply-adds counted right, an oversized experiment refused before any step."""
import pytest
import torch

from core.budget import MAX_STEPS, MAX_WORK, TooMuchTraining, check_budget, forward_macs
from core.models import MLP, LessonCNN
from core.seeding import seeded
from core.training import TrainSettings, train

IMAGE = torch.zeros(1, 1, 28, 28)


def test_forward_macs_of_the_lesson_models_match_their_arithmetic():
    assert forward_macs(MLP([784, 50, 50, 10]), IMAGE) == 784 * 50 + 50 * 50 + 50 * 10
    conv1 = 16 * 28 * 28 * (1 * 5 * 5)  # 16 maps of 28 x 28, each value a 5 x 5 window of 1 channel
    conv2 = 32 * 14 * 14 * (16 * 5 * 5)
    assert forward_macs(LessonCNN(), IMAGE) == conv1 + conv2 + 32 * 7 * 7 * 10


def test_counting_leaves_batch_norm_statistics_and_mode_alone():
    model = LessonCNN(batch_norm=True).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    forward_macs(model, torch.randn(4, 1, 28, 28))
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_limits_count_every_run_of_the_experiment():
    model = MLP([784, 50, 50, 10])
    check_budget(model, IMAGE, images_per_run=8000 * 50, steps_per_run=6250, n_runs=9)  # a large but fair ask
    with pytest.raises(TooMuchTraining, match=r"steps .*9 networks.*larger batch size"):
        check_budget(model, IMAGE, images_per_run=8000, steps_per_run=MAX_STEPS // 9 + 1, n_runs=9)
    wide = MLP([784, 2048, 2048, 10])  # 5.8 million multiply-adds per image
    images = int(MAX_WORK / (3 * forward_macs(wide, IMAGE))) + 1
    check_budget(wide, IMAGE, images_per_run=images - 1, steps_per_run=100)
    with pytest.raises(TooMuchTraining, match="trillion multiply-adds"):
        check_budget(wide, IMAGE, images_per_run=images, steps_per_run=100)


def test_an_oversized_run_is_refused_before_any_step(mnist):
    model = seeded(0, lambda: MLP([784, 2048, 2048, 10]))
    weights = [p.detach().clone() for p in model.parameters()]
    progress = []
    with pytest.raises(TooMuchTraining):
        train(model, mnist, TrainSettings(epochs=50), n_runs=8, on_progress=progress.append)
    assert progress == [] and all(torch.equal(w, p) for w, p in zip(weights, model.parameters()))


def test_train_takes_any_torch_optimizer(mnist):
    data = mnist.subset(512, 128)
    model = seeded(0, lambda: MLP([784, 32, 10]))
    made = []

    def rmsprop(params):
        made.append(torch.optim.RMSprop(params, lr=1e-3))
        return made[-1]

    result = train(model, data, TrainSettings(epochs=1, batch_size=64), optimizer=rmsprop)
    assert len(made) == 1 and made[0].state  # it stepped: RMSprop keeps a square average per parameter
    assert result.epochs["val_acc"].iloc[-1] > 0.3
