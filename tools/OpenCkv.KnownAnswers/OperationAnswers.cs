using System.Text;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Auditing;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KnownAnswers;

/// <summary>Known answers for the monitoring, update, distinguished-heads and auditing operations (KT §8–§10, §13.2–§13.6, §15.2).</summary>
public static partial class KnownAnswerGenerator
{
    /// <summary>
    /// Continues the 13-entry log of the search file: contact monitoring, owner initialization, an update by the
    /// owner (which adds entry 13), owner monitoring and a self-contained walk of the distinguished heads.
    /// </summary>
    private static void AppendOperations(StringBuilder text, TransparencyLog log, Configuration configuration, VerifiedSearch monitoredSearch, byte[] alice)
    {
        var monitored = MonitoredLabel.After(alice, monitoredSearch);
        ContactMonitorRequest monitorRequest = monitored.Request(monitoredSearch.State.TreeSize);
        Block(text, "contact monitoring of alice (last = 10) at size 13 (KT §13.2)", TlsCodec.Encode(monitorRequest), w => log.ContactMonitor(monitorRequest).Encode(w, configuration.Mode));

        // Entry 11 is distinguished (its bounds, entries 7 and 12, are 50 ms apart; the window is 30 ms), and the
        // root, entry 7, is its ancestor to the left: the owner algorithm inspects both.
        var ownerRequest = new OwnerInitRequest(null, alice, 11);
        OwnerInitResponse ownerResponse = log.OwnerInit(ownerRequest);
        Block(text, "owner initialization of alice from entry 11 at size 13 (KT §13.3)", TlsCodec.Encode(ownerRequest), w => ownerResponse.Encode(w, configuration.Mode));
        VerifiedOwnerInit owner = OwnerInitVerifier.Verify(Suite, configuration, null, ownerRequest, ownerResponse, 1_750_000_000_120);

        // The owner writes version 3 at 1_750_000_000_130: entry 13.
        var updateRequest = new UpdateRequest(owner.State.TreeSize, alice, owner.Owner.GreatestVersion, [new LabelValue(Encoding.ASCII.GetBytes("alice 3"))]);
        UpdateResponse update = log.Update(updateRequest, 1_750_000_000_130).Single();
        Block(text, "update of alice by its owner (last = 13): version 3 in entry 13 (KT §13.5)", TlsCodec.Encode(updateRequest), w => update.Encode(w, configuration.Mode));
        VerifiedUpdate updated = UpdateVerifier.Verify(Suite, configuration, owner.State, owner.Owner, updateRequest, update, 1_750_000_000_130);

        OwnerMonitorRequest ownerMonitor = OwnerMonitorVerifier.Request(updated.Owner, updated.State.TreeSize);
        Block(text, "owner monitoring of alice (last = 14) at size 14 (KT §13.4)", TlsCodec.Encode(ownerMonitor), w => log.OwnerMonitor(ownerMonitor).Encode(w, configuration.Mode));

        var walk = new DistinguishedRequest(null, null);
        Block(text, "self-contained walk of the distinguished heads at size 14 (KT §13.6)", TlsCodec.Encode(walk), w => log.DistinguishedHeads(walk).Encode(w, configuration.Mode));
    }

    /// <summary>
    /// A third-party-auditing log of 6 entries and its auditor: each entry's <see cref="AuditorUpdate"/>, the head
    /// the auditor signed after it, and a search answered with the auditor's head (KT §11.3, §15.2).
    /// </summary>
    private static string Auditing()
    {
        var text = Header("A third-party-auditing log of 6 entries: auditor updates, auditor heads and an audited search (KT §11.3, §15.2)");
        byte[] signingScalar = SecretScalar("audited signing");
        byte[] auditorScalar = SecretScalar("auditor");
        using var signingKey = EcdsaP256PrivateKey.Import(signingScalar);
        using var auditorKey = EcdsaP256PrivateKey.Import(auditorScalar);
        using VrfKeyPair vrfKey = Suite.Vrf.ImportSecretKey(SecretScalar("audited vrf"));
        var configuration = new Configuration
        {
            Mode = DeploymentMode.ThirdPartyAuditing,
            SignaturePublicKey = signingKey.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrfKey.PublicKey.ToArray(),
            AuditorPublicKey = auditorKey.PublicKey.Encoded.ToArray(),
            MaxAuditorLag = 60_000,
            AuditorStartPosition = 0,
            MaxAhead = 60_000,
            MaxBehind = 86_400_000,
            ReasonableMonitoringWindow = 30,
            MaximumLifetime = null,
        };
        TransparencyLog log = DeterministicLog(configuration, signingKey, vrfKey, signingScalar, "audited opening");
        var auditor = Auditor.Create(Suite, configuration, auditorKey);
        auditor.UseDeterministicSigner(message => DeterministicEcdsa.Sign(auditorScalar, message));

        text.Append("\n## log\n");
        Line(text, "configuration", TlsCodec.Encode(configuration));
        Line(text, "auditor_sk", auditorScalar);
        byte[] carol = Encoding.ASCII.GetBytes("mailto:carol@example.com");
        for (int i = 0; i < 6; i++)
        {
            log.Stage(carol, Encoding.ASCII.GetBytes($"carol {i}"));
            log.Stage(Encoding.ASCII.GetBytes($"mailto:user{i}@example.com"), Encoding.ASCII.GetBytes($"user {i}"));
            log.Sequence((ulong)(1_750_000_000_000 + (10 * i)));
            AuditorUpdate update = log.AuditorUpdateFor((ulong)i);
            auditor.Process(update);
            AuditorTreeHead head = auditor.Sign();
            log.AcceptAuditorHead(head);
            text.Append($"\n## entry {i}\n");
            Line(text, "auditor_update", TlsCodec.Encode(update));
            Line(text, "auditor_tree_head", TlsCodec.Encode(head));
        }

        var search = new SearchRequest(null, carol, null);
        var writer = new TlsWriter();
        log.Search(search).Encode(writer, versionRequested: false, configuration.Mode);
        text.Append("\n## audited first contact at size 6: greatest version of carol\n");
        Line(text, "request", TlsCodec.Encode(search));
        Line(text, "response", writer.ToArray());
        return text.ToString();
    }

    private static void Block(StringBuilder text, string title, byte[] request, Action<TlsWriter> response)
    {
        var writer = new TlsWriter();
        response(writer);
        text.Append("\n## ").Append(title).Append('\n');
        Line(text, "request", request);
        Line(text, "response", writer.ToArray());
    }
}
