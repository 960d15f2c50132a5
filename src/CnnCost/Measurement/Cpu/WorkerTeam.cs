using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace CnnCost.Measurement.Cpu;

/// <summary>
/// A fixed team of worker threads that share out the jobs of one parallel step with the calling thread. A layer
/// takes a millisecond or two, so waking thread-pool workers for each one (tens of microseconds, more when the
/// pool is busy compiling or collecting) cost up to half the run on two cores; these workers spin on the next step
/// for a couple of milliseconds, as OpenMP runtimes do, and only then sleep.
/// </summary>
internal sealed class WorkerTeam : IDisposable
{
    private static readonly long SpinTicks = Stopwatch.Frequency / 500; // 2 ms
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _wake = new(0);
    private Action<int> _job = _ => { };
    private int _jobCount;
    private int _next;
    private int _pending;
    private int _generation;
    private int _sleepers;
    private volatile bool _stopping;
    private ExceptionDispatchInfo? _failure;

    /// <summary>Starts <paramref name="threads"/> − 1 workers; the caller of <see cref="Run"/> is the last member.</summary>
    public WorkerTeam(int threads)
    {
        _workers = new Thread[Math.Max(0, threads - 1)];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"cnncost-cpu-{i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>Runs <paramref name="job"/> for every index below <paramref name="jobCount"/>, each once, and returns when all are done.</summary>
    public void Run(int jobCount, Action<int> job)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _job = job;
        _jobCount = jobCount;
        _next = 0;
        _failure = null;
        _pending = _workers.Length + 1;
        Interlocked.Increment(ref _generation); // publishes the step to spinning workers
        var sleepers = Interlocked.Exchange(ref _sleepers, 0);
        if (sleepers > 0)
        {
            _wake.Release(sleepers);
        }

        Work();
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        _failure?.Throw();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot from the first step, see RunJob
    private void Work()
    {
        try
        {
            for (var i = Interlocked.Increment(ref _next) - 1; i < _jobCount; i = Interlocked.Increment(ref _next) - 1)
            {
                _job(i);
            }
        }
        catch (Exception exception)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null);
            Volatile.Write(ref _next, int.MaxValue / 2); // the others stop taking jobs
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WorkerLoop()
    {
        var seen = 0;
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (_stopping)
                {
                    return;
                }

                if (Stopwatch.GetTimestamp() - started < SpinTicks)
                {
                    Thread.SpinWait(32);
                    continue;
                }

                // Register as a sleeper, then look again: a step published in between is never missed, and a
                // wake-up meant for an earlier step only sends the loop round once more.
                Interlocked.Increment(ref _sleepers);
                if (Volatile.Read(ref _generation) == seen && !_stopping)
                {
                    _wake.Wait();
                }

                started = Stopwatch.GetTimestamp();
            }

            seen = Volatile.Read(ref _generation);
            Work();
        }
    }

    /// <summary>Stops the workers.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        if (_workers.Length > 0)
        {
            _wake.Release(_workers.Length); // a team of one thread has no workers to wake, and Release(0) throws
        }

        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _wake.Dispose();
    }
}
