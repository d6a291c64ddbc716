using System.Globalization;
using System.Text.Json.Nodes;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;
using KtAuditor = OpenCkv.KeyTransparency.Auditing.Auditor;

namespace OpenCkv.Auditor;

/// <summary>
/// The third-party auditor at work (KT §15.2): pins the log's configuration, rebuilds its verified state from the
/// updates stored in its folder (no network), then follows the log's AuditorUpdate stream — every update through
/// <see cref="KtAuditor.Process"/>, a head signed after each batch, stored with the batch in one transaction and
/// handed to the log. The first update that fails a check raises the alarm: its bytes and the error are kept in
/// <c>alarm.json</c>, one <c>ALARM {json}</c> line goes to standard error, and nothing is signed any more.
/// </summary>
public sealed class AuditorService : IDisposable
{
    /// <summary>The most updates asked for at once (the server's page ceiling).</summary>
    public const int Page = 100;

    private readonly string _folder;
    private readonly HttpClient _server;
    private readonly KtAuditor _auditor;
    private readonly AuditorDatabase _database;
    private readonly EcdsaP256PrivateKey _key;
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private volatile Snapshot _snapshot;

    /// <summary>Entries verified between two saves of the auditor's state, besides the save at every clean stop.</summary>
    public const ulong StateInterval = 1_000;

    private ulong _stateSavedAt;

    private AuditorService(string folder, HttpClient server, EcdsaP256PrivateKey key, KtAuditor auditor, AuditorDatabase database, TextWriter output, TextWriter error, Snapshot snapshot)
    {
        _stateSavedAt = database.State()?.TreeSize ?? 0;
        _folder = folder;
        _server = server;
        _key = key;
        _auditor = auditor;
        _database = database;
        _out = output;
        _error = error;
        _snapshot = snapshot;
    }

    /// <summary>The tree size of the latest signed head (0 before the first).</summary>
    public ulong TreeSize => _snapshot.TreeSize;

    /// <summary>The latest signed head's TLS encoding, or null before the first.</summary>
    public byte[]? Head => _snapshot.Head;

    /// <summary>The alarm's JSON once an inconsistency was found, else null.</summary>
    public string? Alarm => _snapshot.Alarm;

    /// <summary>
    /// Opens the auditor of <paramref name="folder"/> against the log at <paramref name="server"/>'s base address:
    /// fetches the log's configuration, checks it against the pinned one (pinning it on the first run) and against
    /// this auditor's key, then rebuilds the verified state from the stored updates.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log is not one this auditor may follow (the message says why).</exception>
    public static async Task<AuditorService> OpenAsync(string folder, HttpClient server, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        EcdsaP256PrivateKey key = AuditorFolder.LoadKey(folder);
        try
        {
            return await OpenAsync(folder, key, server, output, error, cancel).ConfigureAwait(false);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static async Task<AuditorService> OpenAsync(string folder, EcdsaP256PrivateKey key, HttpClient server, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        byte[] presented;
        try
        {
            presented = await server.GetByteArrayAsync(new Uri("/v1/log/configuration", UriKind.Relative), cancel).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException($"Could not fetch the log's configuration from {server.BaseAddress}: {e.Message}", e);
        }

        Configuration configuration;
        try
        {
            configuration = TlsCodec.Decode<Configuration>(presented);
        }
        catch (KtFormatException e)
        {
            throw new InvalidOperationException($"The server's configuration is malformed: {e.Message}", e);
        }

        string pinnedPath = Path.Combine(folder, AuditorFolder.ConfigurationFile);
        if (File.Exists(pinnedPath) && !File.ReadAllBytes(pinnedPath).AsSpan().SequenceEqual(presented))
        {
            throw new InvalidOperationException(
                $"The server presents a configuration (fingerprint {Hex(configuration.Fingerprint().Span)}) other than the one this auditor pinned in {pinnedPath}: it is another log, or the log changed what never changes.");
        }

        if (configuration.Mode != DeploymentMode.ThirdPartyAuditing ||
            !configuration.AuditorPublicKey.AsSpan().SequenceEqual(key.PublicKey.Encoded))
        {
            throw new InvalidOperationException(
                configuration.Mode != DeploymentMode.ThirdPartyAuditing
                    ? $"The server's log is a {configuration.Mode} log: its configuration does not name this auditor's public key ({Hex(key.PublicKey.Encoded)})."
                    : $"The server's configuration does not name this auditor's public key ({Hex(key.PublicKey.Encoded)}); it names {Hex(configuration.AuditorPublicKey)}.");
        }

        KtAuditor auditor;
        try
        {
            auditor = KtAuditor.Create(CryptoSuite.Fastest, configuration, key);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"This log cannot be audited by this auditor: {e.Message}", e);
        }

        if (!File.Exists(pinnedPath))
        {
            File.WriteAllBytes(pinnedPath, presented);
        }

        var database = new AuditorDatabase(Path.Combine(folder, AuditorFolder.DatabaseFile));
        try
        {
            (KtAuditor resumed, Snapshot snapshot) = Rebuild(folder, auditor, key, database, output);
            return new AuditorService(folder, server, key, resumed, database, output, error, snapshot);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Follows the log until <paramref name="cancel"/> fires or an alarm is raised: fetches updates from the
    /// verified size on, a page at a time, waiting <paramref name="poll"/> when caught up. Network and format
    /// errors are reported and retried; a failing database ends the run with its exception.
    /// </summary>
    public async Task RunAsync(TimeSpan poll, CancellationToken cancel)
    {
        try
        {
            await FollowAsync(poll, cancel).ConfigureAwait(false);
        }
        finally
        {
            // A clean stop resumes from here without verifying anything again.
            SaveState();
        }
    }

    private async Task FollowAsync(TimeSpan poll, CancellationToken cancel)
    {
        if (_snapshot.Head is { } stored)
        {
            try
            {
                await PostHeadAsync(stored, _snapshot.TreeSize, cancel).ConfigureAwait(false); // the log may have restarted since
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
        }

        while (!cancel.IsCancellationRequested && _snapshot.Alarm is null)
        {
            int fetched;
            try
            {
                fetched = await StepAsync(cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or KtFormatException or TaskCanceledException or InvalidDataException)
            {
                await _error.WriteLineAsync($"ckv auditor: fetching updates from {_auditor.TreeSize} failed, retrying: {e.Message}").ConfigureAwait(false);
                fetched = 0;
            }

            if (fetched < Page)
            {
                try
                {
                    await Task.Delay(poll, cancel).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One page: fetch, verify, store with a new head, hand the head to the log.</summary>
    /// <returns>How many updates the log sent.</returns>
    private async Task<int> StepAsync(CancellationToken cancel)
    {
        ulong from = _auditor.TreeSize;
        string query = string.Create(CultureInfo.InvariantCulture, $"/v1/log/auditor-updates?from={from}&limit={Page}");
        byte[] body = await _server.GetByteArrayAsync(new Uri(query, UriKind.Relative), cancel).ConfigureAwait(false);
        (ulong first, List<byte[]> raw) = ParsePage(body);
        if (first != from)
        {
            throw new InvalidDataException($"The log answered from position {first} when asked from {from}.");
        }

        var verified = new List<byte[]>(raw.Count);
        (ulong Position, Exception Error, byte[] Update)? failure = null;
        foreach (byte[] update in raw)
        {
            ulong position = _auditor.TreeSize;
            try
            {
                _auditor.Process(TlsCodec.Decode<AuditorUpdate>(update));
                verified.Add(update);
            }
            catch (Exception e) when (e is KtVerificationException or KtFormatException or ArgumentException or InvalidOperationException)
            {
                failure = (position, e, update);
                break;
            }
        }

        if (verified.Count > 0)
        {
            AuditorTreeHead head = _auditor.Sign();
            byte[] encoded = TlsCodec.Encode(head);
            _database.Append(from, verified, head.TreeSize, encoded);
            _snapshot = _snapshot with { TreeSize = head.TreeSize, Head = encoded };
            if (head.TreeSize - _stateSavedAt >= StateInterval)
            {
                SaveState();
            }

            await _out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"verified entries {from}..{head.TreeSize - 1}; signed a head at tree size {head.TreeSize}")).ConfigureAwait(false);
            await PostHeadAsync(encoded, head.TreeSize, cancel).ConfigureAwait(false);
        }

        if (failure is { } f)
        {
            await RaiseAlarmAsync(f.Position, f.Error, f.Update).ConfigureAwait(false);
        }

        return raw.Count;
    }

    /// <summary>Strictly parses <c>uint64 first; AuditorUpdate updates&lt;0..255&gt;</c>, keeping each update's bytes.</summary>
    private static (ulong First, List<byte[]> Updates) ParsePage(byte[] body)
    {
        var reader = new TlsReader(body);
        ulong first = reader.ReadUInt64();
        int count = reader.ReadVectorCount(byte.MaxValue);
        var updates = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            int start = reader.Position;
            _ = AuditorUpdate.Decode(ref reader);
            updates.Add(body[start..reader.Position]);
        }

        reader.EnsureEnd();
        return (first, updates);
    }

    private async Task PostHeadAsync(byte[] head, ulong treeSize, CancellationToken cancel)
    {
        try
        {
            using var content = new ByteArrayContent(head);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            using HttpResponseMessage response = await _server.PostAsync(new Uri("/v1/log/auditor-head", UriKind.Relative), content, cancel).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                string detail = await response.Content.ReadAsStringAsync(cancel).ConfigureAwait(false);
                await _error.WriteLineAsync($"ckv auditor: the log refused the head at tree size {treeSize}: {(int)response.StatusCode} {detail}").ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            await _error.WriteLineAsync($"ckv auditor: could not hand the head at tree size {treeSize} to the log: {e.Message}").ConfigureAwait(false);
        }
    }

    private async Task RaiseAlarmAsync(ulong position, Exception error, byte[] update)
    {
        var alarm = new JsonObject
        {
            ["position"] = position,
            ["failure"] = error is KtVerificationException v ? v.Failure.ToString() : error.GetType().Name,
            ["error"] = error.Message,
            ["verifiedTreeSize"] = _auditor.TreeSize,
            ["detectedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["update"] = Convert.ToHexStringLower(update),
        };
        string path = Path.Combine(_folder, AuditorFolder.AlarmFile);
        await File.WriteAllTextAsync(path, alarm.ToJsonString() + "\n").ConfigureAwait(false);
        alarm.Remove("update");
        alarm["evidence"] = Path.GetFullPath(path);
        string line = alarm.ToJsonString();
        _snapshot = _snapshot with { Alarm = line };
        await _error.WriteLineAsync("ALARM " + line).ConfigureAwait(false);
    }

    /// <summary>Saves the auditor's state at its verified size (it always equals the stored head's).</summary>
    private void SaveState()
    {
        if (_auditor.TreeSize > 0 && _auditor.TreeSize != _stateSavedAt)
        {
            _database.SaveState(_auditor.TreeSize, _auditor.ExportState());
            _stateSavedAt = _auditor.TreeSize;
        }
    }

    /// <summary>
    /// The auditor as it was: restored from its saved state when there is one, then brought up to the stored head by
    /// re-verifying only the stored updates after that state, and checked against the head it signed last — a saved
    /// state that does not give the root that head signs is refused.
    /// </summary>
    private static (KtAuditor Auditor, Snapshot Snapshot) Rebuild(string folder, KtAuditor fresh, EcdsaP256PrivateKey key, AuditorDatabase database, TextWriter output)
    {
        KtAuditor auditor = fresh;
        ulong savedAt = 0;
        if (database.State() is { } saved)
        {
            try
            {
                auditor = KtAuditor.Restore(CryptoSuite.Fastest, fresh.Configuration, key, saved.State);
            }
            catch (KtFormatException e)
            {
                throw new InvalidOperationException($"The saved auditor state is malformed: {e.Message}", e);
            }

            savedAt = saved.TreeSize;
            if (auditor.TreeSize != savedAt)
            {
                throw new InvalidOperationException($"The saved auditor state is at tree size {auditor.TreeSize}, not the {savedAt} it is filed under.");
            }
        }

        int count = 0;
        foreach (byte[] update in database.Updates(savedAt))
        {
            try
            {
                auditor.Process(TlsCodec.Decode<AuditorUpdate>(update));
            }
            catch (Exception e) when (e is KtVerificationException or KtFormatException or ArgumentException)
            {
                throw new InvalidOperationException($"The stored update at position {savedAt + (ulong)count} no longer verifies: {e.Message}", e);
            }

            count++;
        }

        (ulong TreeSize, byte[] Head)? head = database.Head();
        if ((head?.TreeSize ?? 0) != auditor.TreeSize)
        {
            throw new InvalidOperationException($"The database holds {auditor.TreeSize} updates but a head at tree size {head?.TreeSize ?? 0}.");
        }

        if (head is { } signed)
        {
            AuditorTreeHead last = TlsCodec.Decode<AuditorTreeHead>(signed.Head);
            if (!key.PublicKey.Verify(AuditorTreeHead.ToBeSigned(auditor.Configuration, last.Timestamp, last.TreeSize, auditor.Root), last.Signature))
            {
                throw new InvalidOperationException($"The auditor's state does not give the root its last head (tree size {last.TreeSize}) signs: the database was altered.");
            }
        }

        string alarmPath = Path.Combine(folder, AuditorFolder.AlarmFile);
        string? alarm = null;
        if (File.Exists(alarmPath))
        {
            JsonObject stored = JsonNode.Parse(File.ReadAllText(alarmPath))?.AsObject() ?? [];
            stored.Remove("update");
            stored["evidence"] = Path.GetFullPath(alarmPath);
            alarm = stored.ToJsonString();
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"resumed at tree size {auditor.TreeSize} from the state saved at {savedAt}: re-verified {count} stored updates from {folder} (nothing fetched)"));
        if (alarm is not null)
        {
            output.WriteLine($"an alarm is raised ({alarmPath}): serving the last good head, signing nothing");
        }

        return (auditor, new Snapshot(auditor.TreeSize, head?.Head, alarm));
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <inheritdoc />
    public void Dispose()
    {
        _database.Dispose();
        _key.Dispose();
    }

    private sealed record Snapshot(ulong TreeSize, byte[]? Head, string? Alarm);
}
