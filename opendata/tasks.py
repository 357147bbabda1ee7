BEAT_SCHEDULES: list[dict] = []
