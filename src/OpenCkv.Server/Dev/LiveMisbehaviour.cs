using System.Collections.Concurrent;
using System.Text;
using OpenCkv.Directory.Relays;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Server.Http;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The malicious-server scenarios that last until <c>{"scenario": "honest"}</c> (development servers only): which
/// labels get their search answers corrupted and how, which devices' next message is dropped, replayed, reflected
/// or forwarded, and whether the auditor's heads and the configuration are tampered with. Also holds the keys the
/// server made (<see cref="Attacker"/>). Thread-safe; the hot paths it sits on ask one dictionary each.
/// </summary>
/// <param name="directory">The directory the server lies about.</param>
/// <param name="logClock">The clock the sequencer stamps entries with, which <c>future-head</c> moves ahead.</param>
/// <param name="maxAheadMs">The log's max_ahead: <c>future-head</c> stamps entries five seconds beyond it.</param>
/// <param name="split">Starts a second branch of the log for one account's devices (<c>split-view</c>).</param>
internal sealed class LiveMisbehaviour(Directory.DirectoryService directory, LogClock logClock, ulong maxAheadMs, Func<byte[], byte[]?, bool, Task<SplitView>> split) : IDisposable
{
    private JoinImpostor? _joins;

    private SplitView? _split;

    private readonly ConcurrentDictionary<string, string> _searches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _frozen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ulong? Last, byte[] Answer)> _lastAnswer = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _nextMessage = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[][]> _forwards = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _logWide = new(StringComparer.Ordinal);

    /// <summary>The keys the server made for the devices it forged, and what they let it read.</summary>
    public AttackerKeys Attacker { get; } = new();

    /// <summary>The server's side in keychain joins (<c>server-join</c>, <c>fake-approver</c>).</summary>
    public JoinImpostor Joins => _joins ??= new JoinImpostor(directory, Attacker);

    /// <summary>The scenarios playing now, each with its label when it has one.</summary>
    public IReadOnlyList<string> Playing =>
        [.. _split is null ? Array.Empty<string>() : [$"{Misbehaviour.SplitView} account {Convert.ToHexStringLower(_split.Victim)}"], .. _logWide.Keys, .. _searches.Select(s => $"{s.Value} {s.Key}"), .. _nextMessage.Select(m => $"{m.Value} device {m.Key}"), .. _forwards.Keys.Select(d => $"{Misbehaviour.ForwardMessage} device {d}")];

    /// <summary>Starts a lasting scenario on the label's search answers, or on the whole log when <paramref name="label"/> is null.</summary>
    public void Start(string scenario, string? label)
    {
        if (label is null)
        {
            _logWide[scenario] = true;
            if (scenario == Misbehaviour.FutureHead)
            {
                logClock.Ahead = TimeSpan.FromMilliseconds(maxAheadMs + 5_000);
            }

            return;
        }

        _frozen.TryRemove(label, out _);
        _searches[label] = scenario;
    }

    /// <summary><c>drop-message</c>, <c>replay-message</c>, <c>reflect-message</c>: the next message to (or, reflecting, from) each of <paramref name="devices"/>.</summary>
    public void TargetNextMessage(string scenario, IEnumerable<byte[]> devices)
    {
        foreach (byte[] device in devices)
        {
            _nextMessage[Convert.ToHexStringLower(device)] = scenario;
        }
    }

    /// <summary><c>forward-message</c>: the next message each of <paramref name="senders"/> sends also goes to each of <paramref name="devices"/> (another account's).</summary>
    public void ForwardNextMessage(IEnumerable<byte[]> senders, IEnumerable<byte[]> devices)
    {
        byte[][] targets = [.. devices];
        foreach (byte[] sender in senders)
        {
            _forwards[Convert.ToHexStringLower(sender)] = targets;
        }
    }

    /// <summary>
    /// <c>split-view</c>: from the log's next entry on, <paramref name="victim"/>'s devices see a branch of their own;
    /// with <paramref name="hiddenLabel"/> (<c>hide-update</c>) one without that label's later versions; with
    /// <paramref name="frozenClock"/> (<c>unlinkable-heads</c>) one frozen where it starts, so its distinguished heads
    /// soon share no tree size with the real log's.
    /// </summary>
    /// <exception cref="InvalidOperationException">A split view already plays, or the log cannot be copied.</exception>
    public async Task SplitAsync(byte[] victim, byte[]? hiddenLabel = null, bool frozenClock = false)
    {
        if (_split is not null)
        {
            throw new InvalidOperationException("A split view already plays; play honest first.");
        }

        _split = await split(victim, hiddenLabel, frozenClock).ConfigureAwait(false);
    }

    /// <summary>The split view's branch for this request, or null for the real log.</summary>
    public KeyTransparency.Logs.TransparencyLog? ViewFor(Microsoft.AspNetCore.Http.HttpContext context, byte[]? account) => _split?.For(context, account);

    /// <summary>Offers a split view's branch the head the auditor signed (it keeps it only if it signs its roots).</summary>
    public void OfferAuditorHead(AuditorTreeHead head) => _split?.OfferAuditorHead(head);

    /// <summary><c>honest</c>: every lasting scenario stops.</summary>
    public void Stop()
    {
        Interlocked.Exchange(ref _split, null)?.Dispose();
        _joins?.Stop();
        _searches.Clear();
        _frozen.Clear();
        _nextMessage.Clear();
        _forwards.Clear();
        _logWide.Clear();

        // Timestamps never go back (KT §11.2): the log stays ahead until the server's clock catches up with it.
        logClock.Ahead = TimeSpan.Zero;
    }

    /// <summary>Whether the log-wide scenario is playing.</summary>
    public bool IsPlaying(string scenario) => _logWide.ContainsKey(scenario);

    /// <summary>
    /// The search answer as this server sends it. Honest unless the label is targeted: then one byte flipped, the
    /// VRF proof or the opening altered, "no record", the answer frozen at the first one after the start, or the
    /// answer made for another retained state. The auditor's signature is altered in every answer while
    /// <c>bad-auditor-signature</c> plays.
    /// </summary>
    /// <exception cref="KtRequestException"><c>hide-record</c>: the answer an honest server gives for a label with no version.</exception>
    public byte[] Search(SearchRequest request, byte[] answer, DeploymentMode mode)
    {
        string label = Encoding.UTF8.GetString(request.Label);
        byte[] previous = _lastAnswer.TryGetValue(label, out (ulong? Last, byte[] Answer) before) && before.Last != request.Last ? before.Answer : answer;
        _lastAnswer[label] = (request.Last, answer);
        if (_logWide.ContainsKey(Misbehaviour.BadAuditorSignature) && mode == DeploymentMode.ThirdPartyAuditing && answer.Length > 0)
        {
            // Only a head that carries the auditor's (a "same head" answer carries none).
            answer = Rewrite(answer, request, mode, r => r.FullTreeHead.AuditorTreeHead is { } auditor
                ? r with { FullTreeHead = r.FullTreeHead with { AuditorTreeHead = auditor with { Signature = Flipped(auditor.Signature) } } }
                : r);
        }

        if (_searches.IsEmpty || !_searches.TryGetValue(label, out string? scenario) || answer.Length == 0)
        {
            return answer;
        }

        switch (scenario)
        {
            case Misbehaviour.FlipProof:
                return Flipped(answer);
            case Misbehaviour.WrongVrfProof:
                return Rewrite(answer, request, mode, r => r with { BinaryLadder = [r.BinaryLadder[0] with { Proof = Flipped(r.BinaryLadder[0].Proof) }, .. r.BinaryLadder.Skip(1)] });
            case Misbehaviour.WrongOpening:
                return Rewrite(answer, request, mode, r => r with { Opening = Flipped(r.Opening) });
            case Misbehaviour.HideRecord:
                throw new KtRequestException("The label has no published version.");
            case Misbehaviour.Rollback:
                return _frozen.GetOrAdd(label, answer);
            case Misbehaviour.ReplayResponse:
                return previous;
            default:
                return answer;
        }
    }

    /// <summary>Whether the server keeps the auditor head it is handed (not while <c>stale-auditor-head</c> plays).</summary>
    public bool TakesAuditorHeads => !_logWide.ContainsKey(Misbehaviour.StaleAuditorHead);

    /// <summary>The configuration as this server presents it: another max_behind while <c>change-config</c> plays.</summary>
    public Configuration Configuration(Configuration configuration) =>
        _logWide.ContainsKey(Misbehaviour.ChangeConfig) ? configuration with { MaxBehind = configuration.MaxBehind + 1 } : configuration;

    /// <summary>
    /// Queues a device's send as this server does it: the attacker first opens what it can, then each targeted
    /// device's next message is dropped or queued twice, and a targeted sender's next message is reflected back to
    /// it (as if from its recipient) or forwarded to another account's devices.
    /// </summary>
    public IReadOnlyList<long> Deliver(RelayService relays, byte[] senderAccount, byte[] senderDevice, IReadOnlyList<(byte[] RecipientDevice, byte[] Body)> messages)
    {
        Attacker.Inspect(senderAccount, senderDevice, messages);
        string sender = Convert.ToHexStringLower(senderDevice);
        if (_nextMessage.IsEmpty && _forwards.IsEmpty)
        {
            return relays.Send(senderAccount, senderDevice, messages);
        }

        var queued = new List<(byte[], byte[])>();
        foreach ((byte[] recipient, byte[] body) in messages)
        {
            string key = Convert.ToHexStringLower(recipient);
            if (_nextMessage.TryGetValue(key, out string? scenario) && scenario != Misbehaviour.ReflectMessage && _nextMessage.TryRemove(key, out _))
            {
                if (scenario == Misbehaviour.DropMessage)
                {
                    continue;
                }

                queued.Add((recipient, body));
            }

            queued.Add((recipient, body));
        }

        IReadOnlyList<long> ids = queued.Count == 0 ? [] : relays.Send(senderAccount, senderDevice, queued);
        if (_nextMessage.TryGetValue(sender, out string? mine) && mine == Misbehaviour.ReflectMessage && _nextMessage.TryRemove(sender, out _))
        {
            (byte[] recipient, byte[] body) = messages[0];
            if (directory.DeviceAccount(recipient) is { } recipientAccount)
            {
                relays.Send(recipientAccount, recipient, [(senderDevice, body)]);
            }
        }

        if (_forwards.TryRemove(sender, out byte[][]? forward))
        {
            byte[] body = messages[0].Body;
            relays.Send(senderAccount, senderDevice, forward.Select(d => (d, body)).ToArray());
        }

        return ids;
    }

    public void Dispose()
    {
        _split?.Dispose();
        Attacker.Dispose();
    }

    private static byte[] Rewrite(byte[] answer, SearchRequest request, DeploymentMode mode, Func<SearchResponse, SearchResponse> change)
    {
        bool versionRequested = request.Version is not null;
        return KtMessages.Encode(change(KtMessages.DecodeSearch(answer, versionRequested, mode)), versionRequested, mode);
    }

    private static byte[] Flipped(byte[] bytes)
    {
        byte[] flipped = [.. bytes];
        flipped[flipped.Length / 2] ^= 0x01;
        return flipped;
    }
}
