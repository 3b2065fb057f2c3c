"""`make bench`: run every benchmark; each writes its figures to bench/results/."""

from bench import telegram_path

if __name__ == "__main__":
    telegram_path.main()
