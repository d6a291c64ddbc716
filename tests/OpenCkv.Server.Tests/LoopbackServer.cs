using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OpenCkv.Client.Http;
using OpenCkv.Directory.Sequencing;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Server.Tests;

/// <summary>A directory server in development mode on a free loopback port, over a fresh data folder.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsFolder;

    private LoopbackServer(WebApplication app, string folder, bool ownsFolder, Uri address)
    {
        _app = app;
        _ownsFolder = ownsFolder;
        Folder = folder;
        Address = address;
        Http = new HttpClient { BaseAddress = address };
    }

    public string Folder { get; }

    public Uri Address { get; }

    public HttpClient Http { get; }

    /// <summary>Starts a server over <paramref name="folder"/> (kept afterwards: the caller owns it) or a fresh temporary one.</summary>
    public static async Task<LoopbackServer> StartAsync(Func<ServerOptions, ServerOptions>? configure = null, TimeProvider? time = null, string? folder = null)
    {
        bool ownsFolder = folder is null;
        folder ??= System.IO.Directory.CreateTempSubdirectory("ckv-server-").FullName;
        var options = new ServerOptions
        {
            DataFolder = folder,
            Urls = "http://127.0.0.1:0",
            Dev = true,
            Sequencer = new SequencerOptions { BatchInterval = TimeSpan.FromMilliseconds(20), HeartbeatInterval = TimeSpan.FromMinutes(10) },
        };
        options = configure?.Invoke(options) ?? options;
        WebApplication app = DirectoryServer.Build(options, time, logging => logging.SetMinimumLevel(LogLevel.Warning).AddSimpleConsole());
        await app.StartAsync();
        var server = new LoopbackServer(app, folder, ownsFolder, new Uri(app.Urls.First()));
        await server.WaitForFirstEntryAsync();
        return server;
    }

    public DirectoryClient NewClient(TimeProvider? time = null) => new(Http, time);

    public async Task<Configuration> ConfigurationAsync() => TlsCodec.Decode<Configuration>(await NewClient().ConfigurationAsync());

    public async Task<string> DevCodeAsync(string handle)
    {
        using HttpResponseMessage response = await Http.GetAsync(new Uri("/dev/codes/" + Uri.EscapeDataString(handle), UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("code").GetString()!;
    }

    public async Task<ulong> TreeSizeAsync()
    {
        using var json = System.Text.Json.JsonDocument.Parse(await Http.GetStringAsync(new Uri("/v1/log/", UriKind.Relative)));
        return json.RootElement.GetProperty("treeSize").GetUInt64();
    }

    private async Task WaitForFirstEntryAsync()
    {
        for (int i = 0; i < 200 && await TreeSizeAsync() == 0; i++)
        {
            await Task.Delay(10);
        }
    }

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (!_ownsFolder)
        {
            return;
        }

        try
        {
            System.IO.Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // a file still held; the temp folder is cleaned later
        }
    }
}
