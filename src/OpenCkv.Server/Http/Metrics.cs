using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace OpenCkv.Server.Http;

/// <summary>Counters served at <c>GET /metrics</c> in the Prometheus text format.</summary>
internal sealed class Metrics
{
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);

    public void Count(string endpoint, int status) => _requests.AddOrUpdate($"{endpoint}\u0000{status}", 1, (_, n) => n + 1);

    public string Render(ulong treeSize, long entries, long versions, TimeSpan appendTime, bool sequencerUp)
    {
        var text = new StringBuilder();
        text.Append("# TYPE ckv_log_tree_size gauge\nckv_log_tree_size ").Append(treeSize).Append('\n');
        text.Append("# TYPE ckv_sequencer_entries_total counter\nckv_sequencer_entries_total ").Append(entries).Append('\n');
        text.Append("# TYPE ckv_sequencer_versions_total counter\nckv_sequencer_versions_total ").Append(versions).Append('\n');
        text.Append("# TYPE ckv_sequencer_append_seconds_total counter\nckv_sequencer_append_seconds_total ")
            .Append(appendTime.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture)).Append('\n');
        text.Append("# TYPE ckv_sequencer_up gauge\nckv_sequencer_up ").Append(sequencerUp ? 1 : 0).Append('\n');
        text.Append("# TYPE ckv_http_requests_total counter\n");
        foreach ((string key, long count) in _requests.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            string[] parts = key.Split('\u0000');
            text.Append(CultureInfo.InvariantCulture, $"ckv_http_requests_total{{endpoint=\"{parts[0]}\",status=\"{parts[1]}\"}} {count}\n");
        }

        return text.ToString();
    }
}
