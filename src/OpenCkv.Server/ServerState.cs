using OpenCkv.Directory;
using OpenCkv.Directory.Accounts;
using OpenCkv.Directory.Authentication;
using OpenCkv.Directory.Sequencing;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.Server.Http;

namespace OpenCkv.Server;

/// <summary>Everything the endpoints share, built once at start.</summary>
internal sealed class ServerState(
    ServerOptions options,
    LogFolder folder,
    DirectoryService directory,
    Directory.Relays.RelayService relays,
    Sequencer sequencer,
    RequestAuthenticator authenticator,
    DevHandleCodeSender? devCodes,
    DevClock? devClock,
    Limits limits,
    Metrics metrics)
{
    public ServerOptions Options { get; } = options;

    public LogFolder Folder { get; } = folder;

    public TransparencyLog Log => Folder.Log;

    public DirectoryService Directory { get; } = directory;

    public Sequencer Sequencer { get; } = sequencer;

    public Directory.Relays.RelayService Relays { get; } = relays;

    public RequestAuthenticator Authenticator { get; } = authenticator;

    public DevHandleCodeSender? DevCodes { get; } = devCodes;

    /// <summary>The clock <c>POST /dev/clock</c> moves; null unless the server runs in development mode.</summary>
    public DevClock? DevClock { get; } = devClock;

    public Limits Limits { get; } = limits;

    public Metrics Metrics { get; } = metrics;

    public string Fingerprint { get; } = LogFolder.Fingerprint(folder.Configuration);

    /// <summary>"sequencer" while this server writes the log, "replica" while another server sharing its database does.</summary>
    public Func<string> Role { get; set; } = static () => "sequencer";

    /// <summary>Development servers: the lasting malicious-server scenarios (null otherwise).</summary>
    public Dev.LiveMisbehaviour? Misbehaviour { get; init; }
}
