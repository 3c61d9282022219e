"""The recipe on the real lesson CNN: frozen parameters get no gradient and do not move, however many
steps; the parameter counts; each method's optimizer holds what it should."""
import torch
from torch import nn

from core.lessons.transfer import recipe
from core.lessons.transfer.digits import kshot_data
from core.lessons.transfer.experiment import recipe_check
from core.lessons.transfer.config import TransferConfig
from core.models import LessonCNN
from core.seeding import seeded
from core.training import TrainSettings, train

SETTINGS = TrainSettings(epochs=1, batch_size=16, lr=0.01, momentum=0.9)


def pretrained_weights():
    return seeded(11, LessonCNN).state_dict()


def test_frozen_parameters_unchanged_after_training_steps_and_without_gradient(digits):
    sd = pretrained_weights()
    model, optimizer = recipe.prepare("frozen", sd, seed=0, settings=SETTINGS, feature_lr=0.1)
    data = kshot_data(digits, 5, seed=0, epochs=3)  # 150 images: 10 steps of 16
    run = train(model, data, SETTINGS, seed=0, optimizer=optimizer)
    assert len(run.steps) == 10 and run.diverged_at is None
    for name, p in model.named_parameters():
        if name.startswith("fc."):
            assert p.requires_grad and p.grad is not None
        else:
            assert not p.requires_grad and p.grad is None
            assert torch.equal(p.detach(), sd[name]), name  # bit for bit the pretrained weights
    fresh = recipe.prepare("frozen", sd, seed=0, settings=SETTINGS, feature_lr=0.1)[0]
    assert not torch.equal(model.fc.weight, fresh.fc.weight)  # the head did train


def test_counts_of_the_frozen_lesson_cnn():
    model, _ = recipe.prepare("frozen", pretrained_weights(), 0, SETTINGS, 0.1)
    assert recipe.counts(model) == {"trainable": 15_690, "frozen": 13_248, "total": 28_938}
    tuned, _ = recipe.prepare("finetune", pretrained_weights(), 0, SETTINGS, 0.1)
    assert recipe.counts(tuned) == {"trainable": 28_938, "frozen": 0, "total": 28_938}


def test_each_methods_model_and_optimizer(digits):
    sd = pretrained_weights()
    built = {m: recipe.prepare(m, sd, seed=2, settings=SETTINGS, feature_lr=0.25)
             for m in ("scratch", "frozen", "finetune", "finetune_small")}
    # every transfer method keeps the pretrained features and gets the same new head for the same seed
    for m in ("frozen", "finetune", "finetune_small"):
        model = built[m][0]
        assert torch.equal(model.conv2.weight, sd["conv2.weight"])
        assert torch.equal(model.fc.weight, built["frozen"][0].fc.weight)
        assert not torch.equal(model.fc.weight, sd["fc.weight"])
    assert not torch.equal(built["scratch"][0].conv2.weight, sd["conv2.weight"])
    assert built["scratch"][1] is None  # the engine's SGD over every parameter
    # the optimizers hold exactly the trainable parameters, at the intended rates
    frozen_model, frozen_opt = built["frozen"]
    opt = frozen_opt(list(frozen_model.parameters()))
    held = [p for g in opt.param_groups for p in g["params"]]
    assert len(held) == 2 and all(any(p is q for q in frozen_model.fc.parameters()) for p in held)
    small_model, small_opt = built["finetune_small"]
    groups = small_opt(list(small_model.parameters())).param_groups
    assert [g["lr"] for g in groups] == [0.25 * SETTINGS.lr, SETTINGS.lr]
    assert sum(p.numel() for p in groups[0]["params"]) == 13_248 and len(groups[1]["params"]) == 2


def test_replace_head_and_trainable_on_any_module():
    model = nn.Sequential()
    model.head = nn.Linear(7, 3)
    recipe.freeze(model)
    new = recipe.replace_head(model, "head", 5)
    assert model.head is new and new.in_features == 7 and new.out_features == 5
    held = recipe.trainable(model.parameters())
    assert len(held) == 2 and held[0] is new.weight and held[1] is new.bias


def test_step_check_reports_what_moved(digits, pretrained):
    table, counts, loss = recipe_check(TransferConfig(k=5, batch_size=16), digits, pretrained, seed=0)
    frozen, head = table[~table["trainable"]], table[table["trainable"]]
    assert list(head["name"]) == ["fc.weight", "fc.bias"]
    assert not frozen["has_gradient"].any() and (frozen["largest_change"] == 0).all()
    assert head["has_gradient"].all() and (head["largest_change"] > 0).all() and (head["gradient"] > 0).all()
    assert counts["trainable"] == 15_690 and 0 < loss < 10
