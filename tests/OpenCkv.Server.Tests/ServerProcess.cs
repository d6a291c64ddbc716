using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpenCkv.Server.Tests;

/// <summary>`ckv server` as a separate process on a free loopback port, for tests that stop or kill it.</summary>
public sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    private ServerProcess(Process process, Uri address, HttpMessageHandler? handler)
    {
        _process = process;
        Address = address;
        Http = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    public HttpClient Http { get; }

    public int Id => _process.Id;

    public static Task<ServerProcess> StartAsync(string folder, params string[] extra) => StartAsync(folder, null, extra);

    /// <summary>
    /// Starts the server, over HTTPS when <paramref name="https"/> is given: its certificate reaches Kestrel through
    /// the environment, and <see cref="Http"/> trusts exactly that certificate.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string folder, HttpsCertificate? https, params string[] extra)
    {
        int port = FreePort();
        string scheme = https is null ? "http" : "https";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (https is not null)
        {
            environment["Kestrel__Certificates__Default__Path"] = https.PfxPath;
            environment["Kestrel__Certificates__Default__Password"] = https.Password;
        }

        return await LaunchAsync(
            ["server", "--data", folder, "--urls", $"{scheme}://127.0.0.1:{port}", "--dev", .. extra],
            new Uri($"{scheme}://127.0.0.1:{port}"),
            https?.TrustingHandler(),
            environment);
    }

    /// <summary>`ckv auditor --server SERVER --data FOLDER` on a free loopback port, once its /health answers.</summary>
    public static Task<ServerProcess> StartAuditorAsync(Uri server, string folder, params string[] extra)
    {
        int port = FreePort();
        return LaunchAsync(
            ["auditor", "--server", server.ToString(), "--data", folder, "--urls", $"http://127.0.0.1:{port}", .. extra],
            new Uri($"http://127.0.0.1:{port}"),
            null,
            new Dictionary<string, string>(StringComparer.Ordinal));
    }

    /// <summary>`ckv web` over the profiles of <paramref name="home"/> (CKV_HOME) on a free loopback port, once /health answers.</summary>
    public static Task<ServerProcess> StartWebAsync(string home)
    {
        int port = FreePort();
        return LaunchAsync(
            ["web", "--urls", $"http://127.0.0.1:{port}"],
            new Uri($"http://127.0.0.1:{port}"),
            null,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["CKV_HOME"] = home });
    }

    /// <summary>Everything the process printed so far, standard output and standard error, line by line.</summary>
    public IReadOnlyCollection<string> Lines => _lines;

    /// <summary>Starts `ckv ARGUMENTS` and waits until <paramref name="address"/>/health answers (any status).</summary>
    private static async Task<ServerProcess> LaunchAsync(string[] arguments, Uri address, HttpMessageHandler? handler, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ckv.exe" : "ckv"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        Process process = Process.Start(start)!;
        var server = new ServerProcess(process, address, handler);
        process.OutputDataReceived += (_, e) => server.Collect(e.Data);
        process.ErrorDataReceived += (_, e) => server.Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (int i = 0; i < 300; i++)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"ckv {arguments[0]} exited with {process.ExitCode} at start: {string.Join('\n', server._lines)}");
            }

            try
            {
                using HttpResponseMessage health = await server.Http.GetAsync(new Uri("/health", UriKind.Relative));
                if (health.IsSuccessStatusCode || health.StatusCode == HttpStatusCode.ServiceUnavailable && arguments[0] == "auditor")
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50);
        }

        server.Kill();
        throw new TimeoutException($"ckv {arguments[0]} did not become healthy.");
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }

    /// <summary>Runs a `ckv` command to its end: the exit code and what it printed.</summary>
    public static Task<(int Exit, string Output, string Error)> RunCommandAsync(params string[] args) => RunCommandAsync(null, args);

    /// <summary>Runs a `ckv` command with extra environment variables (CKV_HOME, CKV_PROFILE).</summary>
    public static async Task<(int Exit, string Output, string Error)> RunCommandAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ckv.exe" : "ckv"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    /// <summary>SIGKILL: no chance to finish anything.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>Sends a signal by name (STOP pauses the process, CONT resumes it).</summary>
    public async Task SignalAsync(string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>The exit code once the process ends by itself, within <paramref name="timeout"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, then the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (Process kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        Http.Dispose();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A certificate for a test server: the PFX Kestrel loads, and a client handler that trusts only it.</summary>
public sealed record HttpsCertificate(string PfxPath, string Password, string Thumbprint)
{
    public HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            certificate is not null && string.Equals(certificate.Thumbprint, Thumbprint, StringComparison.OrdinalIgnoreCase),
    };
}
