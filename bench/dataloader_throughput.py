"""Drawing shuffled batches of 256 from a DataLoader over an MNIST-sized TensorDataset
(60000 x 784 float32 images, int64 labels), in the main process and with 2 workers. The
loader (and its persistent workers) is built once, so start-up is not timed."""

from types import SimpleNamespace

BATCHES_PER_STEP = 50


def _benchmark(num_workers: int):
    def make_step(lib):
        lib.manual_seed(0)
        dataset = lib.utils.data.TensorDataset(lib.randn(60000, 784),
                                               lib.randint(0, 10, (60000,)))
        worker_options = {"persistent_workers": True} if num_workers else {}
        loader = lib.utils.data.DataLoader(dataset, batch_size=256, shuffle=True,
                                           num_workers=num_workers, **worker_options)
        batches = iter(loader)

        def step():
            nonlocal batches
            for _ in range(BATCHES_PER_STEP):
                try:
                    batch = next(batches)
                except StopIteration:  # end of the epoch: a new shuffle
                    batches = iter(loader)
                    batch = next(batches)
            return batch

        return step

    return SimpleNamespace(KEY=f"dataloader_{num_workers}",
                           NAME=f"DataLoader batch of 256, {num_workers} workers (60000x784)",
                           TARGET=1.0, OPS_PER_STEP=BATCHES_PER_STEP, make_step=make_step)


WORKERS_0 = _benchmark(0)
WORKERS_2 = _benchmark(2)
