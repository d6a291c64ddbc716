using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol.Api;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Endpoints;

/// <summary>
/// The public face of the log, for clients pinning it, explorers and auditors: the configuration (its TLS
/// encoding; clients compare its SHA-256 with the fingerprint they pinned), a summary, paged entries and signed
/// heads, and the AuditorUpdate stream (KT §15.2). Nothing here names a label or a value.
/// </summary>
internal static class LogEndpoints
{
    public const int MaxPage = 1000;
    public const int MaxAuditorPage = 100;

    public static void Map(IEndpointRouteBuilder app)
    {
        RouteGroupBuilder log = app.MapGroup("/v1/log").WithTags("Log");
        log.MapGet("/configuration", (ServerState s) => Results.Bytes(TlsCodec.Encode(s.Misbehaviour?.Configuration(s.Log.Configuration) ?? s.Log.Configuration), KtEndpoints.Octets))
            .WithSummary("The log's fixed configuration (KT §11.3), TLS-encoded; its SHA-256 is the fingerprint clients pin").Produces<byte[]>(200, KtEndpoints.Octets);
        log.MapGet("/", Info).WithSummary("Mode, configuration fingerprint and size").Produces<LogInfoMessage>();
        log.MapGet("/entries", Entries).WithSummary("A page of entries: position, timestamp, distinguished or not, how many versions it added").Produces<EntriesPage>();
        log.MapGet("/heads", Heads).WithSummary("A page of signed tree heads").Produces<HeadsPage>();
        log.MapGet("/auditor-updates", AuditorUpdates)
            .WithSummary("AuditorUpdates (KT §15.2) from a position: uint64 first position, then AuditorUpdate updates<0..255>").Produces<byte[]>(200, KtEndpoints.Octets);
        log.MapPost("/auditor-head", AuditorHeadAsync)
            .WithSummary("Hands the log a head its auditor signed (third-party auditing); checked before it is kept").Accepts<byte[]>(KtEndpoints.Octets);
    }

    private static LogInfoMessage Info(ServerState state)
    {
        ulong size = state.Log.Size;
        return new LogInfoMessage(Mode(state.Log.Configuration.Mode), state.Fingerprint, size, state.Log.LastTimestamp);
    }

    private static EntriesPage Entries(ServerState state, ulong? from, int? limit)
    {
        int count = Page(limit, MaxPage);
        ulong start = from ?? 0;
        ulong size = state.Log.Size;
        EntryMessage[] entries = state.Log.Entries(start, count).Select(e => new EntryMessage(e.Position, e.Timestamp, e.Distinguished, e.NewVersions)).ToArray();
        ulong next = start + (ulong)entries.Length;
        return new EntriesPage(size, entries, entries.Length > 0 && next < size ? next : null);
    }

    private static HeadsPage Heads(ServerState state, ulong? from, int? limit)
    {
        int count = Page(limit, MaxPage);
        ulong size = state.Log.Size;
        ulong first = Math.Max(from ?? 1, 1);
        var heads = new List<HeadMessage>();
        for (ulong treeSize = first; treeSize <= size && heads.Count < count; treeSize++)
        {
            TreeHead head = state.Log.HeadAt(treeSize);
            heads.Add(new HeadMessage(treeSize, state.Log.TimestampAt(treeSize - 1), Convert.ToBase64String(head.Signature)));
        }

        ulong next = first + (ulong)heads.Count;
        return new HeadsPage(heads, heads.Count > 0 && next <= size ? next : null);
    }

    private static IResult AuditorUpdates(ServerState state, ulong? from, int? limit)
    {
        int count = Page(limit, MaxAuditorPage);
        ulong start = from ?? 0;
        ulong size = state.Log.Size;
        var writer = new TlsWriter();
        writer.WriteUInt64(start);
        int available = start >= size ? 0 : (int)Math.Min((ulong)count, size - start);
        writer.WriteVectorCount(available, byte.MaxValue);
        try
        {
            for (int i = 0; i < available; i++)
            {
                state.Log.AuditorUpdateFor(start + (ulong)i).Encode(writer);
            }
        }
        catch (ArgumentException e)
        {
            throw new KtRequestException(e.Message); // an entry past the maximum lifetime: its tree is not kept
        }

        return Results.Bytes(writer.ToArray(), KtEndpoints.Octets);
    }

    private static async Task<IResult> AuditorHeadAsync(HttpContext context, ServerState state)
    {
        if (state.Log.Configuration.Mode != DeploymentMode.ThirdPartyAuditing)
        {
            throw new KtRequestException("This log is not third-party audited.");
        }

        AuditorTreeHead head = TlsCodec.Decode<AuditorTreeHead>(await RequestBody.ReadAsync(context, state.Options.MaxBodyBytes).ConfigureAwait(false));
        if (state.Misbehaviour is { TakesAuditorHeads: false })
        {
            // stale-auditor-head: the head is acknowledged and thrown away, so the log keeps serving its last one.
            return Results.NoContent();
        }

        state.Misbehaviour?.OfferAuditorHead(head);
        try
        {
            state.Log.AcceptAuditorHead(head);
        }
        catch (ArgumentException e)
        {
            throw new KtRequestException(e.Message);
        }

        return Results.NoContent();
    }

    private static int Page(int? limit, int max)
    {
        if (limit is < 1 or > MaxPage)
        {
            throw new BadInputException($"limit is between 1 and {max}.");
        }

        return Math.Min(limit ?? 100, max);
    }

    internal static string Mode(DeploymentMode mode) => mode switch
    {
        DeploymentMode.ContactMonitoring => "contact-monitoring",
        DeploymentMode.ThirdPartyAuditing => "third-party-auditing",
        _ => "third-party-management",
    };
}
