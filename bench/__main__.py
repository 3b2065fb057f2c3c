"""`make bench`: run every benchmark; each writes its figures to bench/results/."""

from bench import ingest, keyword_answers, keyword_matching, live_fanout, memory, outbound, statistics, telegram_path

if __name__ == "__main__":
    keyword_answers.main()
    keyword_matching.main()
    telegram_path.main()
    live_fanout.main()
    ingest.main()
    outbound.main()
    memory.main()
    statistics.main()
