print("steermoe")
