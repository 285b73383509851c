using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Serverless.Benchmarks;

/// <summary>
/// A published program started as a process of its own (the app, the bare app, the raw ONNX Runtime baseline, the
/// load generator): nothing it does shares this process's thread pool, GC or JIT.
/// </summary>
public sealed class OutsideProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private OutsideProcess(Process process, int port, long startedTimestamp)
    {
        _process = process;
        Port = port;
        StartedTimestamp = startedTimestamp;
    }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    public int Pid => _process.Id;

    /// <summary>Just before <see cref="Process.Start()"/>: cold-start rows count from here.</summary>
    public long StartedTimestamp { get; }

    /// <summary>A folder deleted once the process has exited (the server's data folder).</summary>
    public string? OwnedDirectory { get; init; }

    /// <summary>Starts <c>dotnet <paramref name="dll"/> args --urls=http://127.0.0.1:port</c> on a free port.</summary>
    public static OutsideProcess StartServer(string dll, params string[] args) => Start(dll, ownedDirectory: null, cpu: null, args);

    /// <summary>As <see cref="StartServer"/>, and deletes <paramref name="ownedDirectory"/> once the process has exited.</summary>
    public static OutsideProcess StartServerOwning(string dll, string ownedDirectory, params string[] args) => Start(dll, ownedDirectory, cpu: null, args);

    /// <summary>As <see cref="StartServerOwning"/>, on <paramref name="cpu"/> only when it is given (<see cref="CpuPinning"/>).</summary>
    public static OutsideProcess StartServerOwning(string dll, string ownedDirectory, int? cpu, params string[] args) => Start(dll, ownedDirectory, cpu, args);

    private static OutsideProcess Start(string dll, string? ownedDirectory, int? cpu, string[] args)
    {
        var port = FreePort();
        var info = CpuPinning.Dotnet(cpu);
        (info.RedirectStandardOutput, info.RedirectStandardError, info.UseShellExecute) = (true, true, false);
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add($"--urls=http://127.0.0.1:{port}");
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info)!;
        var server = new OutsideProcess(process, port, started) { OwnedDirectory = ownedDirectory };
        // Drained so a chatty child never blocks on a full pipe; kept out of the benchmark's own output, but kept for
        // WaitForOutputAsync (servers log at Warning, so it stays small).
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) { server._output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) { Console.Error.WriteLine($"  [{Path.GetFileNameWithoutExtension(dll)}] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Milliseconds from process start until the port accepts a connection.</summary>
    public async Task<double> WaitListeningAsync(TimeSpan timeout)
    {
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, Port);
                return Stopwatch.GetElapsedTime(StartedTimestamp).TotalMilliseconds;
            }
            catch (SocketException) when (!_process.HasExited && Stopwatch.GetElapsedTime(StartedTimestamp) < timeout)
            {
                // Polling, not synchronisation in a test: 1 ms is below the spread of what is measured.
                await Task.Delay(1);
            }
        }
    }

    /// <summary>The first line of standard output that <paramref name="match"/> accepts; null if none came within <paramref name="timeout"/>.</summary>
    public async Task<string?> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (_output.FirstOrDefault(match) is { } line)
            {
                return line;
            }
            if (_process.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                return null;
            }
            // Polling a benchmark's child, not synchronising a test.
            await Task.Delay(5);
        }
    }

    /// <summary>Runs a program to its end and parses the one JSON line it prints last.</summary>
    public static Task<JsonElement> RunToEndAsync(string dll, params string[] args) => RunToEndAsync(dll, cpu: null, args);

    /// <summary>As <see cref="RunToEndAsync(string, string[])"/>, on <paramref name="cpu"/> only when it is given.</summary>
    public static async Task<JsonElement> RunToEndAsync(string dll, int? cpu, params string[] args)
    {
        var info = CpuPinning.Dotnet(cpu);
        (info.RedirectStandardOutput, info.UseShellExecute) = (true, false);
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null)
        {
            throw new InvalidOperationException($"{Path.GetFileName(dll)} {string.Join(' ', args)} exited {process.ExitCode}: {output}");
        }
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (OwnedDirectory is not null && Directory.Exists(OwnedDirectory))
        {
            Directory.Delete(OwnedDirectory, recursive: true);
        }
    }
}
