# language: fr
Fonctionnalité: Invalidation du permis (48SI)
  Quand le solde est nul, la 48SI invalide le permis (R6) ; un stage suivi après sa notification
  ne rapporte rien (R42) ; un stage suivi entre le retrait et la notification est examiné par un
  agent (R24).

  @R6 @R42
  Scénario: La 48SI notifiée avant le stage bloque l'inscription et ouvre un examen manuel
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 0 autre stagiaire
    Quand la 48SI est notifiée le 01/04/2026 (décision du 25/03/2026)
    Alors le permis n'est plus valide
    Et l'obligation de stage est en examen manuel
    Et une tâche « examen_manuel » est ouverte
    Quand l'agent tente d'inscrire le conducteur à cette session
    Alors la demande est refusée en citant la règle R42
    Quand l'agent refuse le crédit après examen manuel pour « Permis invalidé avant tout stage »
    Alors le dossier est clos
    Quand l'agent tente d'ouvrir un dossier de stage volontaire
    Alors la demande est refusée en citant la règle R42

  @R42 @Q8 @R32
  Scénario: Un dossier clos avant le début de sa session y libère sa place
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 5 autres stagiaires
    Et le conducteur s'inscrit à cette session
    Alors la session compte 6 stagiaires inscrits
    Quand la 48SI est notifiée le 01/04/2026 (décision du 25/03/2026)
    Et l'agent refuse le crédit après examen manuel pour « Permis invalidé avant tout stage »
    Alors le dossier est clos
    Et la session compte 5 stagiaires inscrits
    Et l'historique du dossier mentionne « sa place est libérée »

  @R24 @R8
  Scénario: Un stage suivi alors que le solde est nul mais sans 48SI notifiée est examiné par un agent
    Étant donné un permis non probatoire avec 3 points au 01/01/2026
    Et que nous sommes le 01/03/2026
    Et le conducteur demande un stage volontaire
    Et une infraction de 3 points commise le 01/04/2026, décidée le 01/05/2026
    Quand le conducteur suit le stage des 05/06/2026 et 06/06/2026
    Et l'attestation est reçue et validée le 10/06/2026
    Alors le dossier est en examen manuel
    Et le permis est valide
    Quand l'agent crédite le stage après examen manuel
    Alors 4 points sont crédités
    Et le solde du permis est de 4 points

  @R42 @Q8
  Scénario: L'attestation d'un stage suivi après la 48SI est enregistrée et l'examen manuel décide
    Étant donné un permis probatoire obtenu le 01/09/2025 avec 3 points
    Et la lettre 48N a été reçue le 10/03/2026
    Et une session est programmée les 05/06/2026 et 06/06/2026 avec 5 autres stagiaires
    Et le conducteur s'inscrit à cette session
    Quand la 48SI est notifiée le 01/04/2026 (décision du 25/03/2026)
    Alors une tâche « examen_manuel » est ouverte
    Quand le conducteur est présent les deux jours
    Et l'attestation est reçue le 10/06/2026
    Alors le dossier porte le signalement R42
    Quand l'agent crédite le stage après examen manuel
    Alors aucun point n'est crédité (R42)
    Et aucun remboursement n'est dû (R42)
